//! Reading the filter syntax of the query service back: the parser next to the printer
//! ([`query::Filter`](crate::query::Filter)), so that a server (the simulator) and a client agree
//! on one grammar.
//!
//! ```text
//! filter     = or
//! or         = and ("," and)*
//! and        = operand (";" operand)*
//! operand    = "(" or ")" | comparison
//! comparison = field op value
//! op         = "==" | "!=" | "<=" | ">=" | "<" | ">"
//! value      = '"' (char | '\"' | '\\')* '"' | bare
//! bare       = any characters up to ";", "," or ")" (no quotes)
//! ```
//!
//! Parentheses are kept as [`Expr::Group`], so printing what was parsed gives the text back:
//!
//! ```
//! use veeam_em_api::filter::parse;
//! let text = r#"(State=="Working";Result=="Failed"),Name=="a \"b\"""#;
//! assert_eq!(parse(text)?.to_string(), text);
//! # Ok::<(), veeam_em_api::filter::FilterError>(())
//! ```

use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Gt => ">",
            Self::Le => "<=",
            Self::Ge => ">=",
        }
    }

    /// Whether `ordering` (field value compared with the filter's value) satisfies it.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Self::Eq => ordering == Equal,
            Self::Ne => ordering != Equal,
            Self::Lt => ordering == Less,
            Self::Gt => ordering == Greater,
            Self::Le => ordering != Greater,
            Self::Ge => ordering != Less,
        }
    }
}

/// The value of a comparison, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterLiteral {
    /// `"..."`, unescaped.
    Quoted(String),
    /// A bare word or number, e.g. `backup`, `5`, `true`.
    Bare(String),
}

impl FilterLiteral {
    /// The value's text.
    pub fn text(&self) -> &str {
        match self {
            Self::Quoted(t) | Self::Bare(t) => t,
        }
    }
}

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// `field op value`
    Compare {
        /// The field name as written (servers match it ignoring ASCII case).
        field: String,
        /// The operator.
        op: CompareOp,
        /// The value.
        value: FilterLiteral,
    },
    /// `a;b;...`: all must hold.
    And(Vec<Expr>),
    /// `a,b,...`: any may hold.
    Or(Vec<Expr>),
    /// `(e)`, as written.
    Group(Box<Expr>),
}

impl Expr {
    /// Every comparison of the expression, in order.
    pub fn comparisons(&self) -> Vec<(&str, CompareOp, &FilterLiteral)> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'e>(&'e self, out: &mut Vec<(&'e str, CompareOp, &'e FilterLiteral)>) {
        match self {
            Expr::Compare { field, op, value } => out.push((field, *op, value)),
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.collect(out)),
            Expr::Group(inner) => inner.collect(out),
        }
    }

    /// Evaluates the expression; `compare` gives the comparison's result for one field.
    pub fn eval<E>(
        &self,
        compare: &mut impl FnMut(&str, CompareOp, &FilterLiteral) -> Result<bool, E>,
    ) -> Result<bool, E> {
        Ok(match self {
            Expr::Compare { field, op, value } => compare(field, *op, value)?,
            Expr::And(items) => {
                for e in items {
                    if !e.eval(compare)? {
                        return Ok(false);
                    }
                }
                true
            }
            Expr::Or(items) => {
                for e in items {
                    if e.eval(compare)? {
                        return Ok(true);
                    }
                }
                false
            }
            Expr::Group(inner) => inner.eval(compare)?,
        })
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare { field, op, value } => {
                write!(f, "{field}{}", op.as_str())?;
                match value {
                    FilterLiteral::Bare(text) => f.write_str(text),
                    FilterLiteral::Quoted(text) => {
                        let mut out = String::new();
                        crate::query::write_quoted(text, &mut out);
                        f.write_str(&out)
                    }
                }
            }
            Expr::And(items) | Expr::Or(items) => {
                let separator = if matches!(self, Expr::And(_)) {
                    ";"
                } else {
                    ","
                };
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(separator)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Expr::Group(inner) => write!(f, "({inner})"),
        }
    }
}

/// A filter that does not parse: what is wrong and where (byte index in the text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed filter at character {at}: {message}")]
pub struct FilterError {
    /// Byte index in the filter text.
    pub at: usize,
    /// What was expected.
    pub message: String,
}

/// Parses a filter (see the module docs for the grammar).
pub fn parse(text: &str) -> Result<Expr, FilterError> {
    let mut p = Parser { text, pos: 0 };
    let expr = p.or()?;
    if p.pos < text.len() {
        return Err(p.error(format!("unexpected {:?}", p.rest_char())));
    }
    Ok(expr)
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: String) -> FilterError {
        FilterError {
            at: self.pos,
            message,
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn rest_char(&self) -> char {
        self.rest().chars().next().unwrap_or(' ')
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut items = vec![self.and()?];
        while self.eat(",") {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut items = vec![self.operand()?];
        while self.eat(";") {
            items.push(self.operand()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn operand(&mut self) -> Result<Expr, FilterError> {
        if self.eat("(") {
            let inner = self.or()?;
            if !self.eat(")") {
                return Err(self.error("expected `)`".into()));
            }
            return Ok(Expr::Group(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, FilterError> {
        let start = self.pos;
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(self.error(if self.rest().is_empty() {
                "expected a field name, found the end".into()
            } else {
                format!("expected a field name, found {:?}", self.rest_char())
            }));
        }
        let field = self.text[start..start + len].to_owned();
        self.pos += len;
        let op = [
            ("==", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<=", CompareOp::Le),
            (">=", CompareOp::Ge),
            ("<", CompareOp::Lt),
            (">", CompareOp::Gt),
        ]
        .into_iter()
        .find(|(s, _)| self.rest().starts_with(s));
        let Some((symbol, op)) = op else {
            return Err(self.error(format!(
                "expected a comparison (==, !=, <, >, <=, >=) after {field}"
            )));
        };
        self.pos += symbol.len();
        let value = self.value()?;
        Ok(Expr::Compare { field, op, value })
    }

    fn value(&mut self) -> Result<FilterLiteral, FilterError> {
        let opening = self.pos;
        if self.eat("\"") {
            let mut out = String::new();
            let mut chars = self.rest().char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.pos += i + 1;
                        return Ok(FilterLiteral::Quoted(out));
                    }
                    '\\' => match chars.next() {
                        Some((_, e @ ('"' | '\\'))) => out.push(e),
                        _ => {
                            self.pos += i;
                            return Err(self.error("`\\` escapes only `\"` and `\\`".into()));
                        }
                    },
                    c => out.push(c),
                }
            }
            self.pos = opening;
            return Err(self.error("a quoted value is not closed".into()));
        }
        let len = self
            .rest()
            .find([';', ',', ')', '(', '"'])
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(self.error("expected a value".into()));
        }
        let bare = self.text[self.pos..self.pos + len].to_owned();
        self.pos += len;
        Ok(FilterLiteral::Bare(bare))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for text in [
            r#"Name=="a""#,
            r#"name=="Exchange Backup""#,
            "jobtype==backup;platform==vmware",
            "(jobtype==replica;scheduleconfigured==false),(jobtype==backup;scheduleconfigured==true)",
            r#"Name=="say \"hi\" \\ bye; a,b (c)""#,
            "TotalSize>=5;TotalSize<10,State!=Working",
            "((a==1))",
        ] {
            assert_eq!(parse(text).unwrap().to_string(), text, "{text}");
        }
        let e = parse("a==1;b==2,c==3").unwrap();
        assert!(matches!(&e, Expr::Or(items) if items.len() == 2), "{e:?}");
    }

    #[test]
    fn errors() {
        for (text, at) in [
            ("", 0),
            ("a", 1),
            ("a==", 3),
            ("a==1;", 5),
            ("(a==1", 5),
            ("a==1)", 4),
            (r#"a=="x"#, 3),
            (r#"a=="\n""#, 4),
            ("==1", 0),
            ("a=1", 1),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.at, at, "{text:?}: {e}");
        }
    }

    #[test]
    fn evaluation() {
        let e = parse("a==1;(b==2,c==3)").unwrap();
        let values = |a: &str, b: &str, c: &str| {
            let (a, b, c) = (a.to_owned(), b.to_owned(), c.to_owned());
            move |field: &str, op: CompareOp, v: &FilterLiteral| -> Result<bool, ()> {
                let actual = match field {
                    "a" => &a,
                    "b" => &b,
                    _ => &c,
                };
                Ok(op.holds(actual.as_str().cmp(v.text())))
            }
        };
        assert!(e.eval(&mut values("1", "2", "0")).unwrap());
        assert!(e.eval(&mut values("1", "0", "3")).unwrap());
        assert!(!e.eval(&mut values("1", "0", "0")).unwrap());
        assert!(!e.eval(&mut values("0", "2", "3")).unwrap());
    }
}
