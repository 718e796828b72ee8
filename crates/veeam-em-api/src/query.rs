//! The query service (`GET /query?type=...`): typed filters, sorting, paging and format.
//!
//! Each queryable type has a marker type (e.g. `CdpReplicaSessionQuery`) and typed fields
//! (`fields::cdp_replica_session::NAME`), so a filter can only use the fields of its type and
//! values of the field's type:
//!
//! ```
//! use veeam_em_api::query::{Query, QueryFormat};
//! use veeam_em_api::fields::cdp_replica_session as f;
//! use veeam_em_model::{SessionState, SessionResult};
//!
//! let query = Query::new()
//!     .filter(f::POLICY_NAME.eq("CDP Policy 1").and(
//!         f::RESULT.ne(SessionResult::Success).or(f::STATE.eq(SessionState::Working)),
//!     ))
//!     .sort_desc(f::CREATION_TIME_UTC)
//!     .page_size(100)
//!     .format(QueryFormat::Entities);
//! assert_eq!(query.filter_text(), Some(r#"PolicyName=="CDP Policy 1";(Result!="Success",State=="Working")"#));
//! ```
//!
//! Syntax: comparisons `==, !=, <, >, <=, >=`; AND is `;`, OR is `,`; parentheses group. String,
//! UID and date values are written in double quotes (a `"` or `\` inside is escaped with `\`);
//! numbers and booleans are written bare. Dates are sent in UTC, as the server requires.
//!
//! A field whose schema type is an enumeration takes that enumeration, so a misspelt value does
//! not compile; a value the schema does not list is written explicitly with `Other`:
//!
//! ```compile_fail
//! use veeam_em_api::fields::cdp_replica_session as f;
//! let filter = f::RESULT.eq("Faild"); // error: a &str is not a SessionResult
//! ```
//!
//! ```
//! use veeam_em_api::fields::cdp_replica_session as f;
//! use veeam_em_model::SessionResult;
//! let known = f::RESULT.eq(SessionResult::Failed);
//! let newer = f::RESULT.eq(SessionResult::Other("Postponed".into()));
//! assert_eq!(newer.as_str(), r#"Result=="Postponed""#);
//! ```

use std::fmt;
use std::marker::PhantomData;

use veeam_em_model::{DateTime, Uid};

/// A query service operation (`GET /query?type=...`): what pagers need to walk its pages and
/// stream its items (generated for every query operation of the catalogue).
pub trait QueryOperation: crate::Operation<Output = veeam_em_model::QueryResult> + Clone {
    /// The queried type.
    type Type: QueryType;
    /// One item in `Entities` form.
    type Entity: veeam_em_model::xml::FromXml
        + veeam_em_model::json::JsonType
        + veeam_em_model::xml::CollectUnknown;
    /// The element of `QueryResult/Entities` holding the items, e.g. `CdpReplicaSessions`.
    const LIST: &'static str;
    /// The path from `QueryResult` to that element: `["Entities", LIST]`.
    const ENTITIES_PATH: &'static [&'static str];
    /// The names items have in that list (servers use more than one for some types).
    const ITEMS: &'static [&'static str];
    /// The query parameters.
    fn query(&self) -> &Query<Self::Type>;
    /// The query parameters, to change (e.g. the page).
    fn query_mut(&mut self) -> &mut Query<Self::Type>;
}

/// A type the query service can be asked about (`type=NAME`).
pub trait QueryType {
    /// The value of the `type` parameter, e.g. `CdpReplicaSession`.
    const NAME: &'static str;
}

/// What the catalogue says about a query type, for code that handles any of them (e.g. a
/// server): [`queries::info`](crate::queries::info).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryTypeInfo {
    /// The value of the `type` parameter.
    pub name: &'static str,
    /// The root element of one item in entity form.
    pub entity: &'static str,
    /// Where the items sit in a `QueryResult`: `["Entities", "<List>"]` (or `Resources`).
    pub path: [&'static str; 2],
    /// The names items may have in that list.
    pub items: &'static [&'static str],
    /// The fields filters and sorting may use: name and catalogue type (`string`, `int`,
    /// `bool`, `uid`, `dateTime`).
    pub fields: &'static [(&'static str, &'static str)],
}

/// A value a filter can compare a field with.
pub trait FilterValue {
    /// Appends the value in filter syntax.
    fn write_filter(&self, out: &mut String);
}

/// Appends `text` as a quoted filter value (`"` and `\\` escaped with `\\`).
pub fn write_quoted(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

impl FilterValue for String {
    fn write_filter(&self, out: &mut String) {
        write_quoted(self, out);
    }
}

impl FilterValue for Uid {
    fn write_filter(&self, out: &mut String) {
        write_quoted(self.as_str(), out);
    }
}

impl FilterValue for DateTime {
    fn write_filter(&self, out: &mut String) {
        // The server accepts UTC only: convert when the offset is known.
        let utc = match self.to_offset_date_time() {
            Some(t) => DateTime::from(t.to_offset(time_utc())),
            None => *self,
        };
        write_quoted(&utc.to_string(), out);
    }
}

fn time_utc() -> time::UtcOffset {
    time::UtcOffset::UTC
}

impl FilterValue for i64 {
    fn write_filter(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl FilterValue for bool {
    fn write_filter(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// What a field whose values are `V` accepts in a comparison: a `V`, and for the convenience of
/// text, number and date fields `&str`/`String`, smaller integers and `time::OffsetDateTime`.
/// Enumerations accept only themselves (their `Other` variant for unlisted values).
pub trait FieldValue<V> {
    /// The value as `V`.
    fn into_value(self) -> V;
}

impl<V: FilterValue> FieldValue<V> for V {
    fn into_value(self) -> V {
        self
    }
}

impl FieldValue<String> for &str {
    fn into_value(self) -> String {
        self.to_owned()
    }
}

impl FieldValue<String> for &String {
    fn into_value(self) -> String {
        self.clone()
    }
}

impl FieldValue<Uid> for &Uid {
    fn into_value(self) -> Uid {
        self.clone()
    }
}

impl FieldValue<i64> for i32 {
    fn into_value(self) -> i64 {
        self.into()
    }
}

impl FieldValue<i64> for u32 {
    fn into_value(self) -> i64 {
        self.into()
    }
}

impl FieldValue<DateTime> for time::OffsetDateTime {
    fn into_value(self) -> DateTime {
        self.into()
    }
}

/// A field of query type `Q` whose values are `V`.
#[derive(Debug)]
pub struct Field<Q, V> {
    name: &'static str,
    marker: PhantomData<fn() -> (Q, V)>,
}

impl<Q, V> Clone for Field<Q, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Q, V> Copy for Field<Q, V> {}

impl<Q, V: FilterValue> Field<Q, V> {
    /// A field called `name` (generated code declares them).
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            marker: PhantomData,
        }
    }

    /// The field's name in filters and sorting.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn compare(self, op: &str, value: impl FieldValue<V>) -> Filter<Q> {
        let mut text = String::from(self.name);
        text.push_str(op);
        value.into_value().write_filter(&mut text);
        Filter::new(text, Shape::Comparison)
    }

    /// `field==value`
    pub fn eq(self, value: impl FieldValue<V>) -> Filter<Q> {
        self.compare("==", value)
    }

    /// `field!=value`
    pub fn ne(self, value: impl FieldValue<V>) -> Filter<Q> {
        self.compare("!=", value)
    }

    /// `field<value`
    pub fn lt(self, value: impl FieldValue<V>) -> Filter<Q> {
        self.compare("<", value)
    }

    /// `field>value`
    pub fn gt(self, value: impl FieldValue<V>) -> Filter<Q> {
        self.compare(">", value)
    }

    /// `field<=value`
    pub fn le(self, value: impl FieldValue<V>) -> Filter<Q> {
        self.compare("<=", value)
    }

    /// `field>=value`
    pub fn ge(self, value: impl FieldValue<V>) -> Filter<Q> {
        self.compare(">=", value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Comparison,
    And,
    Or,
    /// Parenthesised, or read back from a URL (kept verbatim).
    Closed,
}

/// A filter expression over the fields of query type `Q`.
pub struct Filter<Q> {
    text: String,
    shape: Shape,
    marker: PhantomData<fn() -> Q>,
}

impl<Q> Filter<Q> {
    fn new(text: String, shape: Shape) -> Self {
        Self {
            text,
            shape,
            marker: PhantomData,
        }
    }

    /// A filter as written in a URL (e.g. read back from a paging link); kept verbatim.
    pub fn raw(text: impl Into<String>) -> Self {
        Self::new(text.into(), Shape::Closed)
    }

    fn operand(self, joined: Shape) -> String {
        if self.shape == joined || matches!(self.shape, Shape::Comparison | Shape::Closed) {
            self.text
        } else {
            format!("({})", self.text)
        }
    }

    /// Both must hold (`a;b`).
    pub fn and(self, other: Filter<Q>) -> Filter<Q> {
        let text = format!("{};{}", self.operand(Shape::And), other.operand(Shape::And));
        Self::new(text, Shape::And)
    }

    /// Either may hold (`a,b`).
    pub fn or(self, other: Filter<Q>) -> Filter<Q> {
        let text = format!("{},{}", self.operand(Shape::Or), other.operand(Shape::Or));
        Self::new(text, Shape::Or)
    }

    /// Puts the expression in parentheses.
    pub fn group(self) -> Filter<Q> {
        Self::new(format!("({})", self.text), Shape::Closed)
    }

    /// The expression in filter syntax.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<Q> Clone for Filter<Q> {
    fn clone(&self) -> Self {
        Self::new(self.text.clone(), self.shape)
    }
}

impl<Q> PartialEq for Filter<Q> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<Q> Eq for Filter<Q> {}

impl<Q> fmt::Debug for Filter<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Filter({:?})", self.text)
    }
}

impl<Q> fmt::Display for Filter<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The form of the items in a query result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum QueryFormat {
    /// References (`Refs`), the server's default.
    Refs,
    /// Entities (`Entities`).
    Entities,
    /// Another value, passed as is.
    Other(String),
}

impl QueryFormat {
    /// The parameter value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Refs => "Refs",
            Self::Entities => "Entities",
            Self::Other(v) => v,
        }
    }

    fn parse(value: &str) -> Self {
        if value.eq_ignore_ascii_case("refs") {
            Self::Refs
        } else if value.eq_ignore_ascii_case("entities") {
            Self::Entities
        } else {
            Self::Other(value.to_owned())
        }
    }
}

/// Sort order of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sort {
    /// `sortAsc=FIELD`
    Ascending(String),
    /// `sortDesc=FIELD`
    Descending(String),
}

/// The parameters of a query service request for type `Q`.
pub struct Query<Q> {
    filter: Option<Filter<Q>>,
    sort: Option<Sort>,
    page_size: Option<u32>,
    page: Option<u32>,
    format: Option<QueryFormat>,
    /// Parameters not known to this builder, kept when read from a URL.
    extra: Vec<(String, String)>,
}

impl<Q> Default for Query<Q> {
    fn default() -> Self {
        Self {
            filter: None,
            sort: None,
            page_size: None,
            page: None,
            format: None,
            extra: Vec::new(),
        }
    }
}

impl<Q> Clone for Query<Q> {
    fn clone(&self) -> Self {
        Self {
            filter: self.filter.clone(),
            sort: self.sort.clone(),
            page_size: self.page_size,
            page: self.page,
            format: self.format.clone(),
            extra: self.extra.clone(),
        }
    }
}

impl<Q> PartialEq for Query<Q> {
    fn eq(&self, other: &Self) -> bool {
        self.filter == other.filter
            && self.sort == other.sort
            && self.page_size == other.page_size
            && self.page == other.page
            && self.format == other.format
            && self.extra == other.extra
    }
}

impl<Q> Eq for Query<Q> {}

impl<Q> fmt::Debug for Query<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("filter", &self.filter)
            .field("sort", &self.sort)
            .field("page_size", &self.page_size)
            .field("page", &self.page)
            .field("format", &self.format)
            .field("extra", &self.extra)
            .finish()
    }
}

impl<Q> Query<Q> {
    /// No filter, default sorting, one page, references.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only items matching `filter`; a second call adds a condition (both must hold).
    pub fn filter(mut self, filter: Filter<Q>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(first) => first.and(filter),
            None => filter,
        });
        self
    }

    /// Sorted by `field`, ascending.
    pub fn sort_asc<V: FilterValue>(mut self, field: Field<Q, V>) -> Self {
        self.sort = Some(Sort::Ascending(field.name().to_owned()));
        self
    }

    /// Sorted by `field`, descending.
    pub fn sort_desc<V: FilterValue>(mut self, field: Field<Q, V>) -> Self {
        self.sort = Some(Sort::Descending(field.name().to_owned()));
        self
    }

    /// `size` items per page (at least 1: building the request refuses 0).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// The `page`-th page (from 1: building the request refuses 0).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// The form of the items.
    pub fn format(mut self, format: QueryFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// The page size, if set.
    pub fn get_page_size(&self) -> Option<u32> {
        self.page_size
    }

    /// The page number, if set.
    pub fn get_page(&self) -> Option<u32> {
        self.page
    }

    /// The format, if set.
    pub fn get_format(&self) -> Option<&QueryFormat> {
        self.format.as_ref()
    }

    /// Sets the page number (for pagers).
    pub fn set_page(&mut self, page: u32) {
        self.page = Some(page);
    }

    /// Sets the page size (for pagers).
    pub fn set_page_size(&mut self, size: u32) {
        self.page_size = Some(size);
    }

    /// Sets the format (for pagers).
    pub fn set_format(&mut self, format: QueryFormat) {
        self.format = Some(format);
    }

    /// What makes the query impossible to send: a page size or page number of 0.
    pub fn check(&self) -> Result<(), String> {
        if self.page_size == Some(0) {
            return Err("pageSize must be at least 1".into());
        }
        if self.page == Some(0) {
            return Err("page numbers start at 1".into());
        }
        Ok(())
    }

    /// The filter in filter syntax.
    pub fn filter_text(&self) -> Option<&str> {
        self.filter.as_ref().map(Filter::as_str)
    }

    /// The query parameters, in the order they are sent (the `type` is fixed by the operation);
    /// extra parameters read from a URL come last.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out: Vec<(&str, String)> = Vec::new();
        if let Some(format) = &self.format {
            out.push(("format", format.as_str().to_owned()));
        }
        if let Some(filter) = &self.filter {
            out.push(("filter", filter.as_str().to_owned()));
        }
        match &self.sort {
            Some(Sort::Ascending(f)) => out.push(("sortAsc", f.clone())),
            Some(Sort::Descending(f)) => out.push(("sortDesc", f.clone())),
            None => {}
        }
        if let Some(size) = self.page_size {
            out.push(("pageSize", size.to_string()));
        }
        if let Some(page) = self.page {
            out.push(("page", page.to_string()));
        }
        let mut out: Vec<(String, String)> =
            out.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        out.extend(self.extra.iter().cloned());
        out
    }

    /// Parameters read from a URL that this builder does not know, sent back unchanged.
    pub fn extra(&self) -> &[(String, String)] {
        &self.extra
    }

    /// Reads the parameters back from a URL's query (the `type` must already be removed).
    /// Names are matched case-insensitively, as servers do; unknown ones are kept in `extra`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut q = Self::default();
        for (name, value) in pairs {
            match name.to_ascii_lowercase().as_str() {
                "format" => q.format = Some(QueryFormat::parse(value)),
                "filter" => q.filter = Some(Filter::raw(value.clone())),
                "sortasc" => q.sort = Some(Sort::Ascending(value.clone())),
                "sortdesc" => q.sort = Some(Sort::Descending(value.clone())),
                "pagesize" if value.parse::<u32>().is_ok() => q.page_size = value.parse().ok(),
                "page" if value.parse::<u32>().is_ok() => q.page = value.parse().ok(),
                _ => q.extra.push((name.clone(), value.clone())),
            }
        }
        q
    }
}
