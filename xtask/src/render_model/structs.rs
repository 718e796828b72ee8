//! Complex types -> structs: fields, `FromXml`, `ToXml`, serde and `CollectUnknown`, member by
//! member (each member adds its piece to every impl, see [`Members`]).

use anyhow::Result;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{doc_lines, ident, shape, Renderer, Shape};
use crate::ir::{Attribute, ChoiceField, ComplexType, ElementField, FieldType, Particle};
use crate::names;

/// The pieces of one generated struct that every member adds to.
#[derive(Default)]
struct Members {
    /// Struct fields.
    fields: TokenStream,
    /// `let mut` locals of `from_xml`: the required members (checked once all is read) and
    /// the counters of repeated choices; the others decode straight into `out`.
    locals: TokenStream,
    /// Match arms over attribute names.
    attr_arms: TokenStream,
    /// Match arms over child element names.
    child_arms: TokenStream,
    /// Field initialisers of the required members (the others are `..out`).
    build: TokenStream,
    /// `to_xml` statements for attributes.
    write_attrs: TokenStream,
    /// `to_xml` statements for child elements.
    write_children: TokenStream,
    /// `CollectUnknown` statements (complex children).
    visit: TokenStream,
}

impl Renderer<'_> {
    pub(super) fn complex(&self, c: &ComplexType) -> Result<TokenStream> {
        let ty = ident(&c.rust_name);
        let mut docs = Vec::new();
        if let Some(d) = &c.doc {
            docs.push(d.clone());
            docs.push(String::new());
        }
        let mut origin = format!("Schema type `{}` in `{}`", c.xsd_name, c.source_file);
        if let Some(base) = &c.base {
            origin.push_str(&format!(" (extends `{base}`)"));
        }
        docs.push(origin + ".");
        let docs = doc_lines(&docs);

        // Names come from the naming pass (`names::assign`, checked for clashes after the
        // fix-ups); the renderer only reads them.
        let take = |name: &str| format_ident!("{}", name);
        let mut m = Members::default();
        for a in &c.attributes {
            let f = take(&a.rust_name);
            self.attribute(a, &f, &mut m);
        }
        for p in &c.content {
            match p {
                Particle::Element(e) => {
                    let sh = shape(e.min, e.max);
                    let f = take(&e.rust_name);
                    self.element(e, sh, &f, &mut m);
                }
                Particle::Choice(ch) => {
                    let sh = shape(ch.min, ch.max);
                    let f = take(&ch.rust_name);
                    self.choice(c, ch, sh, &f, &mut m);
                }
            }
        }
        let text_field = match &c.text {
            Some(tt) => {
                let f = take("value");
                let vt = self.value_type(tt);
                let doc = doc_lines(&[format!(
                    "The element's text (simple content of type {}).",
                    self.schema_type_name(&FieldType::Value(tt.clone()))
                )]);
                m.fields.extend(quote!(#doc pub #f: #vt,));
                Some(f)
            }
            None => None,
        };
        let visit = std::mem::take(&mut m.visit);
        let Members {
            fields,
            locals,
            attr_arms,
            child_arms,
            build,
            write_attrs,
            write_children,
            ..
        } = m;
        // Simple content: the text instead of child elements.
        let (read_content, write_content) = match &text_field {
            Some(f) => (
                quote!(out.#f = xml.read_value(&element)?;),
                quote!(writer.text_and_end(name, &self.#f);),
            ),
            None => (
                quote! {
                    if !element.empty {
                        let mut index = 0u32;
                        while let Some(child) = xml.next_child()? {
                            match xml.schema_name(&child.start) {
                                #child_arms
                                _ => out.unknown.push_element(&xml.capture_unknown(child)?, index),
                            }
                            index += 1;
                        }
                    }
                },
                quote! {
                    #write_children
                    writer.end(name);
                },
            ),
        };

        let finish = if build.is_empty() {
            quote!(Ok(out))
        } else {
            quote!(Ok(Self { #build ..out }))
        };
        let json = self.json_impls(c);
        let choices = c
            .content
            .iter()
            .filter_map(|p| match p {
                Particle::Choice(ch) => Some(self.choice_enum(c, ch).map(|mut t| {
                    t.extend(self.json_choice(c, ch));
                    t
                })),
                Particle::Element(_) => None,
            })
            .collect::<Result<Vec<_>>>()?;

        Ok(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Default)]
            pub struct #ty {
                #fields
                /// Attributes and elements the schema does not know (from a newer server), kept
                /// so that writing this value back loses nothing.
                pub unknown: Unknown,
            }

            impl FromXml for #ty {
                fn from_xml<'a>(xml: &mut XmlReader<'a>, element: Child<'a>) -> Result<Self, DecodeError> {
                    let mut out = Self::default();
                    #locals
                    for attr in xml.attributes(&element) {
                        let attr = attr?;
                        match attr.name {
                            #attr_arms
                            _ => {
                                if let Some((name, value)) = xml.unknown_attribute(&element, &attr)? {
                                    out.unknown.push_attribute(name, value);
                                }
                            }
                        }
                    }
                    #read_content
                    #finish
                }
            }

            impl ToXml for #ty {
                fn to_xml<'v>(&'v self, writer: &mut XmlWriter<'v>, name: &str) {
                    writer.start(name);
                    #write_attrs
                    writer.unknown(&self.unknown);
                    #write_content
                }
            }

            #json

            impl crate::xml::CollectUnknown for #ty {
                fn collect_unknown(&self, path: &mut String, found: &mut dyn FnMut(&str)) {
                    self.unknown.report(path, found);
                    #visit
                }
            }

            #(#choices)*
        })
    }

    fn attribute(&self, a: &Attribute, f: &Ident, m: &mut Members) {
        let name = &a.name;
        let key = Literal::byte_string(name.as_bytes());
        let vt = self.value_type(&a.ty);
        let sh = if a.required {
            Shape::Required
        } else {
            Shape::Optional
        };
        let ft = Self::wrap(vt.clone(), &sh);
        let mut doc = vec![format!(
            "Attribute `{name}` ({}, {}).",
            self.schema_type_name(&FieldType::Value(a.ty.clone())),
            if a.required { "required" } else { "optional" }
        )];
        if let Some(d) = &a.doc {
            doc.push(d.clone());
        }
        let doc = doc_lines(&doc);
        m.fields.extend(quote!(#doc pub #f: #ft,));
        let slot = if a.required {
            m.locals.extend(quote!(let mut #f: Option<#vt> = None;));
            quote!(#f)
        } else {
            quote!(out.#f)
        };
        let once = if a.required {
            quote!(required_attribute)
        } else {
            quote!(attribute)
        };
        m.attr_arms
            .extend(quote!(#key => xml.#once(&mut #slot, &element, &attr, #name)?,));
        if a.required {
            m.build
                .extend(quote!(#f: #f.ok_or_else(|| xml.missing_attribute(&element, #name))?,));
            m.write_attrs
                .extend(quote!(writer.attribute_value(#name, &self.#f);));
        } else {
            m.write_attrs
                .extend(quote!(writer.optional_attribute(#name, &self.#f);));
        }
    }

    /// The statement that writes `value` (an expression of type `&T`) as element `name`.
    pub(super) fn write_child(&self, t: &FieldType, name: &str, value: TokenStream) -> TokenStream {
        match t {
            FieldType::Value(_) => quote!(writer.value_element(#name, #value);),
            FieldType::Complex(_) => quote!(ToXml::to_xml(#value, writer, #name);),
        }
    }

    fn element(&self, e: &ElementField, sh: Shape, f: &Ident, m: &mut Members) {
        let name = &e.name;
        let key = Literal::byte_string(name.as_bytes());
        let et = self.field_type(&e.ty);
        let ft = Self::wrap(et.clone(), &sh);
        let mut doc = vec![format!(
            "Element `{name}` ({}, occurs {}).",
            self.schema_type_name(&e.ty),
            Self::occurs(e.min, e.max)
        )];
        if let Some(d) = &e.doc {
            doc.push(d.clone());
        }
        let doc = doc_lines(&doc);
        m.fields.extend(quote!(#doc pub #f: #ft,));
        if matches!(e.ty, FieldType::Complex(_)) {
            // Option and Vec are CollectUnknown themselves: one call for every shape.
            m.visit
                .extend(quote!(crate::xml::visit_unknown(path, #name, &self.#f, found);));
        }
        match sh {
            Shape::Repeated => {
                let (push, write) = match e.ty {
                    FieldType::Value(_) => (quote!(push_value), quote!(values)),
                    FieldType::Complex(_) => (quote!(push_complex), quote!(complexes)),
                };
                m.child_arms
                    .extend(quote!(Some(#key) => xml.#push(&mut out.#f, child, #name)?,));
                m.write_children
                    .extend(quote!(writer.#write(#name, &self.#f);));
            }
            Shape::Optional | Shape::Required => {
                let slot = if matches!(sh, Shape::Required) {
                    m.locals.extend(quote!(let mut #f: Option<#et> = None;));
                    quote!(#f)
                } else {
                    quote!(out.#f)
                };
                // Optional simple values: `xsi:nil` or empty text (for non-strings) is absent.
                let once = match (&sh, &e.ty) {
                    (Shape::Optional, FieldType::Value(_)) => quote!(optional_value),
                    (_, FieldType::Value(_)) => quote!(value),
                    (_, FieldType::Complex(_)) => quote!(complex),
                };
                m.child_arms
                    .extend(quote!(Some(#key) => xml.#once(&mut #slot, child, #name)?,));
                if matches!(sh, Shape::Required) {
                    let item = self.write_child(&e.ty, name, quote!(&self.#f));
                    m.build
                        .extend(quote!(#f: #f.ok_or_else(|| xml.missing_element(#name))?,));
                    m.write_children.extend(item);
                } else {
                    let write = match e.ty {
                        FieldType::Value(_) => quote!(optional_value),
                        FieldType::Complex(_) => quote!(optional_complex),
                    };
                    m.write_children
                        .extend(quote!(writer.#write(#name, &self.#f);));
                }
            }
        }
    }

    fn choice(&self, owner: &ComplexType, ch: &ChoiceField, sh: Shape, f: &Ident, m: &mut Members) {
        let enum_ty = ident(&ch.name);
        let ft = Self::wrap(quote!(#enum_ty), &sh);
        let alternatives = ch
            .variants
            .iter()
            .map(|v| format!("`{}`", v.name))
            .collect::<Vec<_>>()
            .join(", ");
        let mut doc = vec![format!(
            "Choice of {alternatives} (occurs {}), in document order.",
            Self::occurs(ch.min, ch.max)
        )];
        if let Some(d) = &ch.doc {
            doc.push(d.clone());
        }
        let doc = doc_lines(&doc);
        m.fields.extend(quote!(#doc pub #f: #ft,));
        m.visit
            .extend(quote!(self.#f.collect_unknown(path, found);));
        let repeated = matches!(sh, Shape::Repeated);
        if repeated {
            m.write_children
                .extend(quote!(for item in &self.#f { item.write(writer); }));
        } else {
            if matches!(sh, Shape::Required) {
                m.locals
                    .extend(quote!(let mut #f: Option<#enum_ty> = None;));
                let names = ch
                    .variants
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join("|");
                let missing = Literal::string(&names);
                m.build
                    .extend(quote!(#f: #f.ok_or_else(|| xml.missing_element(#missing))?,));
                m.write_children.extend(quote!(self.#f.write(writer);));
            } else {
                m.write_children
                    .extend(quote!(if let Some(item) = &self.#f { item.write(writer); }));
            }
        }
        let slot = if matches!(sh, Shape::Required) {
            quote!(#f)
        } else {
            quote!(out.#f)
        };
        for v in &ch.variants {
            let vname = &v.name;
            let variant = ident(&v.rust_name);
            let key = Literal::byte_string(vname.as_bytes());
            // An alternative of an optional family (in an always-built type) comes and goes
            // with its feature; without it, the element is unknown content.
            let cfg = self.member_cfg(&owner.source_file, &v.ty);
            let counter = format_ident!("{}_{}", f, names::field_name(vname).trim_end_matches('_'));
            let complex = matches!(v.ty, FieldType::Complex(_));
            if repeated {
                let push = if complex {
                    quote!(push_complex_choice)
                } else {
                    quote!(push_value_choice)
                };
                m.locals.extend(quote!(#cfg let mut #counter = 0usize;));
                m.child_arms.extend(quote!(#cfg Some(#key) => xml.#push(&mut #slot, &mut #counter, child, #vname, #enum_ty::#variant)?,));
            } else {
                let once = if complex {
                    quote!(complex_choice)
                } else {
                    quote!(value_choice)
                };
                m.child_arms.extend(quote!(#cfg Some(#key) => xml.#once(&mut #slot, child, #vname, #enum_ty::#variant)?,));
            }
        }
    }
}
