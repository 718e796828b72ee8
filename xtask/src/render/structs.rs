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
    /// `let mut` locals of `from_xml`.
    locals: TokenStream,
    /// Match arms over attribute names.
    attr_arms: TokenStream,
    /// Match arms over child element names.
    child_arms: TokenStream,
    /// Field initialisers of the decoded value.
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
        let (read_content, build_text, write_content) = match &text_field {
            Some(f) => (
                quote!(let #f = reader.read_value(&element)?;),
                quote!(#f,),
                quote!(writer.text_and_end(name, &self.#f);),
            ),
            None => (
                quote! {
                    if !element.empty {
                        let mut index = 0u32;
                        while let Some(child) = reader.next_child()? {
                            match reader.schema_name(&child.start) {
                                #child_arms
                                _ => unknown.push_element(&reader.capture_unknown(child)?, index),
                            }
                            index += 1;
                        }
                    }
                },
                quote!(),
                quote! {
                    #write_children
                    writer.end(name);
                },
            ),
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
                fn from_xml<'a>(reader: &mut XmlReader<'a>, element: Child<'a>) -> Result<Self, DecodeError> {
                    let mut unknown = Unknown::default();
                    #locals
                    for attr in reader.attributes(&element) {
                        let attr = attr?;
                        match attr.name {
                            #attr_arms
                            _ => {
                                if let Some((name, value)) = reader.unknown_attribute(&element, &attr)? {
                                    unknown.push_attribute(name, value);
                                }
                            }
                        }
                    }
                    #read_content
                    Ok(Self {
                        #build
                        #build_text
                        unknown,
                    })
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
        m.locals.extend(quote!(let mut #f: Option<#vt> = None;));
        let read = if a.required {
            quote!(Some(reader.attribute_value(&element, &attr, #name)?))
        } else {
            quote!(reader.optional_attribute_value(&element, &attr, #name)?)
        };
        m.attr_arms.extend(quote!(#key => {
            if #f.is_some() {
                return Err(reader.duplicate_attribute(&attr, #name));
            }
            #f = #read;
        }));
        if a.required {
            m.build
                .extend(quote!(#f: #f.ok_or_else(|| reader.missing_attribute(&element, #name))?,));
            m.write_attrs
                .extend(quote!(writer.attribute_value(#name, &self.#f);));
        } else {
            m.build.extend(quote!(#f,));
            m.write_attrs.extend(
                quote!(if let Some(value) = &self.#f { writer.attribute_value(#name, value); }),
            );
        }
    }

    /// The call that decodes one child element into a value of type `t`.
    fn read_child(&self, t: &FieldType, name: &str, index: TokenStream) -> TokenStream {
        match t {
            FieldType::Value(_) => quote!(reader.value_child(child, #name, #index)?),
            FieldType::Complex(_) => quote!(reader.complex_child(child, #name, #index)?),
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
            m.visit.extend(match sh {
                Shape::Required => quote!(crate::xml::visit_unknown(path, #name, &self.#f, found);),
                Shape::Optional => quote!(if let Some(v) = &self.#f { crate::xml::visit_unknown(path, #name, v, found); }),
                Shape::Repeated => quote!(for v in &self.#f { crate::xml::visit_unknown(path, #name, v, found); }),
            });
        }
        match sh {
            Shape::Repeated => {
                let read = self.read_child(&e.ty, name, quote!(Some(#f.len() + 1)));
                let item = self.write_child(&e.ty, name, quote!(item));
                m.locals.extend(quote!(let mut #f: Vec<#et> = Vec::new();));
                m.child_arms
                    .extend(quote!(Some(#key) => { let value = #read; #f.push(value); }));
                m.build.extend(quote!(#f,));
                m.write_children
                    .extend(quote!(for item in &self.#f { #item }));
            }
            Shape::Optional | Shape::Required => {
                let read = self.read_child(&e.ty, name, quote!(None));
                m.locals.extend(quote!(let mut #f: Option<#et> = None;));
                if matches!((&sh, &e.ty), (Shape::Optional, FieldType::Value(_))) {
                    // Optional simple values: `xsi:nil` or empty text (for non-strings) is absent.
                    m.child_arms.extend(quote!(Some(#key) => {
                        let offset = child.offset;
                        if let Some(value) = reader.optional_value_child(child, #name)? {
                            reader.set_once(&mut #f, value, #name, offset)?;
                        }
                    }));
                } else {
                    m.child_arms.extend(quote!(Some(#key) => {
                        let offset = child.offset;
                        let value = #read;
                        reader.set_once(&mut #f, value, #name, offset)?;
                    }));
                }
                if matches!(sh, Shape::Required) {
                    let item = self.write_child(&e.ty, name, quote!(&self.#f));
                    m.build
                        .extend(quote!(#f: #f.ok_or_else(|| reader.missing_element(#name))?,));
                    m.write_children.extend(item);
                } else {
                    let item = self.write_child(&e.ty, name, quote!(value));
                    m.build.extend(quote!(#f,));
                    m.write_children
                        .extend(quote!(if let Some(value) = &self.#f { #item }));
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
        m.visit.extend(match sh {
            Shape::Required => quote!(self.#f.collect_unknown(path, found);),
            Shape::Optional => {
                quote!(if let Some(item) = &self.#f { item.collect_unknown(path, found); })
            }
            Shape::Repeated => quote!(for item in &self.#f { item.collect_unknown(path, found); }),
        });
        let repeated = matches!(sh, Shape::Repeated);
        if repeated {
            m.locals
                .extend(quote!(let mut #f: Vec<#enum_ty> = Vec::new();));
            m.build.extend(quote!(#f,));
            m.write_children
                .extend(quote!(for item in &self.#f { item.write(writer); }));
        } else {
            m.locals
                .extend(quote!(let mut #f: Option<#enum_ty> = None;));
            if matches!(sh, Shape::Required) {
                let names = ch
                    .variants
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join("|");
                let missing = Literal::string(&names);
                m.build
                    .extend(quote!(#f: #f.ok_or_else(|| reader.missing_element(#missing))?,));
                m.write_children.extend(quote!(self.#f.write(writer);));
            } else {
                m.build.extend(quote!(#f,));
                m.write_children
                    .extend(quote!(if let Some(item) = &self.#f { item.write(writer); }));
            }
        }
        for v in &ch.variants {
            let vname = &v.name;
            let variant = ident(&v.rust_name);
            let key = Literal::byte_string(vname.as_bytes());
            // An alternative of an optional family (in an always-built type) comes and goes
            // with its feature; without it, the element is unknown content.
            let cfg = self.member_cfg(&owner.source_file, &v.ty);
            let counter = format_ident!("{}_{}", f, names::field_name(vname).trim_end_matches('_'));
            if repeated {
                let read = self.read_child(&v.ty, vname, quote!(Some(#counter)));
                m.locals.extend(quote!(#cfg let mut #counter = 0usize;));
                m.child_arms.extend(quote!(#cfg Some(#key) => {
                    #counter += 1;
                    let value = #read;
                    #f.push(#enum_ty::#variant(value));
                }));
            } else {
                let read = self.read_child(&v.ty, vname, quote!(None));
                m.child_arms.extend(quote!(#cfg Some(#key) => {
                    let offset = child.offset;
                    let value = #read;
                    reader.set_once(&mut #f, #enum_ty::#variant(value), #vname, offset)?;
                }));
            }
        }
    }
}
