//! The JSON form of each complex type: a `JsonType` impl (its keys, one line per member to
//! decode and one to encode, over the runtime in `veeam_em_model::json`), `Serialize` and
//! `Deserialize` that call it, and for choices the `Choice` impl. Keys come from
//! `json_form::assign`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{ident, shape, Renderer, Shape};
use crate::ir::{ChoiceField, ComplexType, FieldType, JsonShape, Particle, ValueType};
use crate::json_form::{keys, TEXT_KEY};

impl Renderer<'_> {
    /// The family feature a member's type needs in a type of `owner_file` (see `member_cfg`).
    fn member_family(&self, owner_file: &str, ty: &FieldType) -> Option<String> {
        let owner = crate::families::of_file(owner_file);
        let target = match ty {
            FieldType::Complex(n) | FieldType::Value(ValueType::Enum(n)) => self.families.get(n),
            FieldType::Value(_) => None,
        }?;
        (target != &owner
            && !crate::families::optional(&owner)
            && crate::families::optional(target))
        .then(|| target.clone())
    }

    pub(super) fn json_impls(&self, c: &ComplexType) -> TokenStream {
        let ty = ident(&c.rust_name);
        let xsd = &c.xsd_name;
        let keys = keys(c);
        let mut decode = TokenStream::new();
        let mut encode = TokenStream::new();
        let mut required: u128 = 0;
        let mut choices = Vec::new();
        let mut aliases = Vec::new();
        let mut index = 0usize;
        let next = |index: &mut usize, decode: &mut TokenStream, arm: TokenStream| {
            let i = *index;
            *index += 1;
            decode.extend(quote!(#i => #arm,));
            i
        };
        for a in &c.attributes {
            let f = format_ident!("{}", a.rust_name);
            let key = &a.name;
            if a.required {
                let i = next(
                    &mut index,
                    &mut decode,
                    quote!(de::value(&mut self.#f, value)),
                );
                required |= 1u128 << i;
                encode.extend(quote!(ser::required(map, #key, &self.#f)?;));
            } else {
                next(
                    &mut index,
                    &mut decode,
                    quote!(de::optional(&mut self.#f, value)),
                );
                encode.extend(quote!(ser::attribute(map, #key, &self.#f)?;));
            }
        }
        for p in &c.content {
            match p {
                Particle::Element(e) => {
                    let f = format_ident!("{}", e.rust_name);
                    let key = &e.json_key;
                    let i = index;
                    for alias in std::iter::once(&e.name)
                        .filter(|n| *n != key)
                        .chain(&e.json_aliases)
                    {
                        aliases.push(quote!((#alias, #i)));
                    }
                    let sh = shape(e.min, e.max);
                    // The runtime's member calls for this shape: decode, encode.
                    let (de_fn, ser_fn) = match sh {
                        Shape::Required => (quote!(value), quote!(required)),
                        Shape::Optional => (quote!(optional), quote!(optional)),
                        Shape::Repeated => (quote!(list), quote!(list)),
                    };
                    let i = next(
                        &mut index,
                        &mut decode,
                        quote!(de::#de_fn(&mut self.#f, value)),
                    );
                    if matches!(sh, Shape::Required) {
                        required |= 1u128 << i;
                    }
                    encode.extend(quote!(ser::#ser_fn(map, #key, &self.#f)?;));
                }
                Particle::Choice(ch) => {
                    let f = format_ident!("{}", ch.rust_name);
                    let enum_ty = ident(&ch.name);
                    let sh = shape(ch.min, ch.max);
                    let mut bits: u128 = 0;
                    for v in &ch.variants {
                        let variant = ident(&v.rust_name);
                        let call = match sh {
                            Shape::Repeated => {
                                quote!(de::many(&mut self.#f, value, #enum_ty::#variant))
                            }
                            Shape::Optional => {
                                quote!(de::one(&mut self.#f, value, #enum_ty::#variant))
                            }
                            Shape::Required => {
                                quote!(de::one_required(&mut self.#f, value, #enum_ty::#variant))
                            }
                        };
                        let i = index;
                        index += 1;
                        bits |= 1u128 << i;
                        for alias in std::iter::once(&v.name)
                            .filter(|n| **n != v.json_key)
                            .chain(&v.json_aliases)
                        {
                            aliases.push(quote!((#alias, #i)));
                        }
                        match self.member_family(&c.source_file, &v.ty) {
                            Some(family) => {
                                let key = &v.json_key;
                                decode.extend(quote! {
                                    #[cfg(feature = #family)] #i => #call,
                                    #[cfg(not(feature = #family))] #i => de::elsewhere(&mut self.unknown, #key, value),
                                });
                            }
                            None => decode.extend(quote!(#i => #call,)),
                        }
                    }
                    match sh {
                        Shape::Repeated => encode.extend(quote!(ser::many(map, &self.#f)?;)),
                        Shape::Optional => {
                            choices.push((bits, false));
                            encode.extend(quote!(ser::one(map, self.#f.as_ref())?;));
                        }
                        Shape::Required => {
                            choices.push((bits, true));
                            encode.extend(quote!(ser::one(map, Some(&self.#f))?;));
                        }
                    }
                }
            }
        }
        if c.text.is_some() {
            let i = next(
                &mut index,
                &mut decode,
                quote!(de::value(&mut self.value, value)),
            );
            required |= 1u128 << i;
            encode.extend(quote!(ser::required(map, #TEXT_KEY, &self.value)?;));
        }
        let required = (required != 0).then(|| {
            let lit = Literal::u128_unsuffixed(required);
            quote!(const REQUIRED: u128 = #lit;)
        });
        let aliases = (!aliases.is_empty())
            .then(|| quote!(const ALIASES: &'static [(&'static str, usize)] = &[#(#aliases),*];));
        let choices = (!choices.is_empty()).then(|| {
            let items = choices.iter().map(|(bits, req)| {
                let lit = Literal::u128_unsuffixed(*bits);
                quote!((#lit, #req))
            });
            quote!(const CHOICES: &'static [(u128, bool)] = &[#(#items),*];)
        });
        let serde = match (&c.json, c.content.as_slice()) {
            (JsonShape::Flat, [Particle::Element(e)]) => {
                let f = format_ident!("{}", e.rust_name);
                quote!(crate::json::serde_impls!(#ty, flat #f);)
            }
            _ => quote!(crate::json::serde_impls!(#ty);),
        };
        // A type without members uses neither the value nor the map.
        let allow = keys.is_empty().then(|| quote!(#[allow(unused_variables)]));
        quote! {
            #[cfg(feature = "json")]
            #allow
            impl crate::json::JsonType for #ty {
                const SCHEMA: &'static str = #xsd;
                const KEYS: &'static [&'static str] = &[#(#keys),*];
                #aliases
                #required
                #choices
                fn decode_member<'de, D: serde::Deserializer<'de>>(&mut self, index: usize, value: D) -> Result<bool, D::Error> {
                    match index {
                        #decode
                        _ => Ok(false),
                    }
                }
                fn encode_members<M: serde::ser::SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
                    #encode
                    Ok(())
                }
                fn unknown(&self) -> &Unknown { &self.unknown }
                fn unknown_mut(&mut self) -> &mut Unknown { &mut self.unknown }
            }
            #[cfg(feature = "json")]
            #serde
        }
    }

    /// `Choice`, `Serialize` (the item's own value) and, for a required choice, `Default` (its
    /// first alternative that every build has).
    pub(super) fn json_choice(&self, owner: &ComplexType, ch: &ChoiceField) -> TokenStream {
        let enum_ty = ident(&ch.name);
        let mut keys = TokenStream::new();
        let mut key_arms = TokenStream::new();
        let mut ser_arms = TokenStream::new();
        for v in &ch.variants {
            let variant = ident(&v.rust_name);
            let key = &v.json_key;
            let cfg = self.member_cfg(&owner.source_file, &v.ty);
            keys.extend(quote!(#cfg #key,));
            key_arms.extend(quote!(#cfg Self::#variant(_) => #key,));
            ser_arms.extend(quote!(#cfg Self::#variant(value) => serde::Serialize::serialize(value, serializer),));
        }
        let default = matches!(shape(ch.min, ch.max), Shape::Required).then(|| {
            let first = ch
                .variants
                .iter()
                .find(|v| self.member_family(&owner.source_file, &v.ty).is_none())
                .map(|v| ident(&v.rust_name));
            quote! {
                impl Default for #enum_ty {
                    fn default() -> Self { Self::#first(Default::default()) }
                }
            }
        });
        quote! {
            #default
            #[cfg(feature = "json")]
            impl crate::json::Choice for #enum_ty {
                const KEYS: &'static [&'static str] = &[#keys];
                fn key(&self) -> &'static str { match self { #key_arms } }
            }
            #[cfg(feature = "json")]
            impl serde::Serialize for #enum_ty {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self { #ser_arms }
                }
            }
        }
    }
}
