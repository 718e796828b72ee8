//! The XSD front end: reads `schemas/*.xsd` with xsd-parser and lowers them into our IR.
//!
//! Why it exists: xsd-parser does the hard parts of XSD for us (parsing, `xs:include`,
//! namespaces, name resolution, copying base types into `xs:extension`s), but its `MetaTypes`
//! describe all of XSD and its own code generator targets another runtime. So we use only its
//! parser and interpreter, and translate their result into the small IR of `ir.rs`. Whatever the
//! IR cannot express is refused with an error naming the type and the file, never skipped.
//!
//! xsd-parser's optimizer is not run: the interpreter's output already has the shape we need.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{anyhow, bail, ensure, Context as _, Result};
use xsd_parser::config::Namespace;
use xsd_parser::models::meta::{
    AttributeMeta, AttributeMetaVariant, Base, ComplexMeta, CustomMeta, ElementMeta,
    ElementMetaVariant, ElementMode, EnumerationMeta, GroupMeta, MetaType, MetaTypeVariant,
};
use xsd_parser::models::schema::xs::{SchemaContent, Use};
use xsd_parser::models::schema::{MaxOccurs, NamespaceId, SchemaInfo};
use xsd_parser::models::{IdentType, Name};
use xsd_parser::pipeline::parser::resolver::FileResolver;
use xsd_parser::{Interpreter, MetaTypes, Parser, Schemas, TypeIdent};

use crate::ir::{
    Attribute, ChoiceField, ComplexType, ElementField, EnumType, FieldType, Model, Particle,
    RootElement, TypeDef, ValueType,
};
use crate::names;

/// Reads all the given schema files (paths relative to `workspace_root`, e.g.
/// `"schemas/common.xsd"`), returns the IR.
///
/// Files reached through `xs:include` are read too; listing them as well is harmless.
pub fn load(workspace_root: &Path, schema_files: &[String]) -> Result<Model> {
    let root = workspace_root
        .canonicalize()
        .with_context(|| format!("workspace root {}", workspace_root.display()))?;
    let schemas = parse(&root, schema_files)?;
    let types =
        interpret(&schemas).with_context(|| format!("interpreting {}", schema_files.join(", ")))?;
    Lowering::new(&root, &schemas, &types)?.lower()
}

/// Every XSD 1.0 built-in type. All are registered with the interpreter (as opaque custom
/// types) so that using an unsupported one gives our error, with the type and file, rather
/// than an interpreter error.
const XS_BUILTINS: &str = "anyType anySimpleType string normalizedString token language NMTOKEN \
    NMTOKENS Name NCName ID IDREF IDREFS ENTITY ENTITIES boolean decimal integer \
    nonPositiveInteger negativeInteger long int short byte nonNegativeInteger unsignedLong \
    unsignedInt unsignedShort unsignedByte positiveInteger float double duration dateTime time \
    date gYearMonth gYear gMonthDay gDay gMonth hexBinary base64Binary anyURI QName NOTATION";

/// The built-in types we support, per the comments on [`ValueType`].
fn builtin_value_type(name: &str) -> Option<ValueType> {
    Some(match name {
        "string" | "normalizedString" | "token" | "language" | "Name" | "NCName" | "NMTOKEN"
        | "ID" | "IDREF" => ValueType::String,
        "anyURI" => ValueType::Href,
        "boolean" => ValueType::Bool,
        "int" => ValueType::Int,
        "long" => ValueType::Long,
        "unsignedInt" | "unsignedShort" | "unsignedByte" => ValueType::UnsignedInt,
        "double" | "float" | "decimal" => ValueType::Double,
        "dateTime" => ValueType::DateTime,
        _ => return None,
    })
}

fn parse(root: &Path, schema_files: &[String]) -> Result<Schemas> {
    let mut parser = Parser::new()
        .with_resolver(FileResolver::new())
        .resolve_includes(true)
        .with_default_namespaces();
    for file in schema_files {
        parser = parser
            .add_schema_from_file(root.join(file))
            .with_context(|| format!("reading {file}"))?;
    }
    Ok(parser.finish())
}

fn interpret(schemas: &Schemas) -> Result<MetaTypes> {
    let xs = xs_namespace(schemas)?;
    let mut interpreter = Interpreter::new(schemas);
    for name in XS_BUILTINS.split_whitespace() {
        let ident = TypeIdent::type_(name).with_ns(xs);
        interpreter = interpreter.with_type(ident, CustomMeta::new(name))?;
    }
    let (types, _idents) = interpreter.finish()?;
    Ok(types)
}

fn xs_namespace(schemas: &Schemas) -> Result<NamespaceId> {
    schemas
        .resolve_namespace(&Some(Namespace::XS))
        .context("the XML Schema namespace is unknown to the parser")
}

/// A named top-level declaration (`xs:element`, `xs:complexType` or `xs:simpleType`).
#[derive(Debug)]
struct Decl {
    ident: TypeIdent,
    name: String,
    /// Schema file, relative to the workspace root.
    file: String,
}

#[derive(Debug)]
struct Lowering<'a> {
    types: &'a MetaTypes,
    xs: NamespaceId,
    /// Global elements, in schema order (files sorted by path).
    elements: Vec<Decl>,
    /// Named types, in schema order (files sorted by path).
    type_decls: Vec<Decl>,
    /// Idents of all named types, to tell them from anonymous ones.
    named: BTreeSet<TypeIdent>,
    /// Rust names of complex types and enumerations.
    rust_names: BTreeMap<TypeIdent, String>,
}

impl<'a> Lowering<'a> {
    fn new(root: &Path, schemas: &Schemas, types: &'a MetaTypes) -> Result<Self> {
        let mut lowering = Self {
            types,
            xs: xs_namespace(schemas)?,
            elements: Vec::new(),
            type_decls: Vec::new(),
            named: BTreeSet::new(),
            rust_names: BTreeMap::new(),
        };
        // Source files come from the parsed `Schemas`: xsd-parser keeps one `SchemaInfo` (with
        // its location) per file, and the id of the declaring file is part of a `TypeIdent`.
        // Files go in path order, not load order, so that `roots` does not depend on which
        // files were listed and which were only included.
        let mut files = schemas
            .schemas()
            .map(|(&id, info)| Ok((relative_file(root, info)?, id, info)))
            .collect::<Result<Vec<_>>>()?;
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (file, schema, info) in files {
            let text = std::fs::read_to_string(root.join(&file))
                .with_context(|| format!("reading {file}"))?;
            check_documentation_text(&file, &text)?;
            for content in &info.schema.content {
                let (type_, name) = match content {
                    SchemaContent::Element(x) => (IdentType::Element, &x.name),
                    SchemaContent::ComplexType(x) => (IdentType::Type, &x.name),
                    SchemaContent::SimpleType(x) => (IdentType::Type, &x.name),
                    SchemaContent::Include(_)
                    | SchemaContent::Import(_)
                    | SchemaContent::Annotation(_) => continue,
                    other => bail!("{file}: {} is not supported", describe(other)),
                };
                let name = name
                    .clone()
                    .with_context(|| format!("{file}: unnamed top-level declaration"))?;
                let ident = TypeIdent {
                    ns: info.namespace_id(),
                    schema,
                    name: Name::new_named(name.clone()),
                    type_,
                };
                let decl = Decl {
                    ident,
                    name,
                    file: file.clone(),
                };
                if type_ == IdentType::Element {
                    lowering.elements.push(decl);
                } else {
                    lowering.named.insert(decl.ident.clone());
                    lowering.type_decls.push(decl);
                }
            }
        }
        lowering.assign_rust_names()?;
        Ok(lowering)
    }

    /// Complex type: the one global element using it, else the XSD name minus `Type`.
    /// Enumeration: the XSD name minus `Type`.
    fn assign_rust_names(&mut self) -> Result<()> {
        let mut users: BTreeMap<TypeIdent, Vec<&str>> = BTreeMap::new();
        for element in &self.elements {
            let ty = self
                .element_type(&element.ident)
                .with_context(|| element.what())?;
            users.entry(ty.clone()).or_default().push(&element.name);
        }
        let mut rust_names = BTreeMap::new();
        let mut taken: BTreeMap<String, &Decl> = BTreeMap::new();
        for decl in &self.type_decls {
            let rust_name = match &self.meta(&decl.ident)?.variant {
                MetaTypeVariant::ComplexType(_) => {
                    match users.get(&decl.ident).map(Vec::as_slice) {
                        Some([element]) => names::type_name(element),
                        _ => names::type_name(&strip_type_suffix(&decl.name)),
                    }
                }
                MetaTypeVariant::Enumeration(_) => names::type_name(&strip_type_suffix(&decl.name)),
                _ => continue,
            };
            if let Some(other) = taken.insert(rust_name.clone(), decl) {
                bail!(
                    "{} and {} both get the Rust name `{rust_name}`",
                    other.what(),
                    decl.what()
                );
            }
            rust_names.insert(decl.ident.clone(), rust_name);
        }
        self.rust_names = rust_names;
        Ok(())
    }

    fn lower(&self) -> Result<Model> {
        let mut model = Model::default();
        let mut extensions = Vec::new();
        for decl in &self.type_decls {
            let meta = self.meta(&decl.ident)?;
            let def = match &meta.variant {
                MetaTypeVariant::ComplexType(ci) => {
                    let ty = self
                        .lower_complex(decl, meta, ci)
                        .with_context(|| decl.what())?;
                    // Simple content extends a simple type, which is not an IR type.
                    if let (Base::Extension(base), None) = (&ci.base, &ty.text) {
                        extensions.push((decl, base));
                    }
                    TypeDef::Complex(ty)
                }
                MetaTypeVariant::Enumeration(em) => TypeDef::Enum(
                    self.lower_enum(decl, meta, em)
                        .with_context(|| decl.what())?,
                ),
                // Other simple types are not IR types: they are used as `ValueType`s. Lower
                // one now anyway so an unsupported one is reported even if nothing uses it.
                _ => {
                    self.value_type(&decl.ident).with_context(|| decl.what())?;
                    continue;
                }
            };
            model
                .types
                .insert(self.rust_names[&decl.ident].clone(), def);
        }
        for (decl, base) in extensions {
            check_flattened(
                &model,
                &self.rust_names[&decl.ident],
                &self.rust_names[base],
            )
            .with_context(|| decl.what())?;
        }
        for element in &self.elements {
            let ty = self.element_type(&element.ident)?;
            let type_name = match self.field_type(ty).with_context(|| element.what())? {
                FieldType::Complex(name) => name,
                FieldType::Value(_) => {
                    bail!(
                        "{}: a document root must have a complex type",
                        element.what()
                    )
                }
            };
            model.roots.push(RootElement {
                name: element.name.clone(),
                type_name,
                source_file: element.file.clone(),
                doc: doc(&self.meta(&element.ident)?.documentation),
            });
        }
        Ok(model)
    }

    fn lower_complex(&self, decl: &Decl, meta: &MetaType, ci: &ComplexMeta) -> Result<ComplexType> {
        ensure!(!ci.is_mixed, "mixed content is not supported");
        let (content, text) = self.lower_content(ci)?;
        let base = match &ci.base {
            Base::None => None,
            Base::Extension(base) => Some(base.name.to_string()),
            Base::Restriction(base) => bail!(
                "derivation by restriction (of `{}`) is not supported",
                base.name
            ),
        };
        let attributes = ci
            .attributes
            .iter()
            .map(|a| self.lower_attribute(a))
            .collect::<Result<_>>()?;
        Ok(ComplexType {
            xsd_name: decl.name.clone(),
            rust_name: self.rust_names[&decl.ident].clone(),
            source_file: decl.file.clone(),
            doc: doc(&meta.documentation),
            base,
            attributes,
            content,
            text,
            json: Default::default(),
        })
    }

    fn lower_attribute(&self, attribute: &AttributeMeta) -> Result<Attribute> {
        let name = attribute.ident.name.to_string();
        let ty = match &attribute.variant {
            AttributeMetaVariant::Any(_) => bail!("xs:anyAttribute is not supported"),
            AttributeMetaVariant::Type(ty) => self
                .value_type(ty)
                .with_context(|| format!("attribute `{name}`"))?,
        };
        let required = match attribute.use_ {
            Use::Required => true,
            Use::Optional => false,
            Use::Prohibited => bail!("attribute `{name}`: use=\"prohibited\" is not supported"),
        };
        Ok(Attribute {
            name,
            rust_name: String::new(),
            ty,
            required,
            doc: doc(&attribute.documentation),
        })
    }

    /// Child content, or the value type of simple content (`xs:simpleContent`).
    fn lower_content(&self, ci: &ComplexMeta) -> Result<(Vec<Particle>, Option<ValueType>)> {
        let Some(content) = &ci.content else {
            return Ok((Vec::new(), None));
        };
        let meta = self.meta(content)?;
        match &meta.variant {
            MetaTypeVariant::Sequence(group) => {
                ensure!(
                    (ci.min_occurs, ci.max_occurs) == (1, MaxOccurs::Bounded(1)),
                    "an xs:sequence with minOccurs/maxOccurs other than 1 is not supported"
                );
                Ok((self.lower_sequence(group)?, None))
            }
            MetaTypeVariant::Choice(group) => {
                let choice = self.lower_choice(meta, group, ci.min_occurs, ci.max_occurs)?;
                Ok((vec![Particle::Choice(choice)], None))
            }
            MetaTypeVariant::All(_) => bail!("xs:all is not supported"),
            _ => {
                let text = self.value_type(content).context(
                    "simple content (xs:simpleContent) must extend a built-in or simple type",
                )?;
                Ok((Vec::new(), Some(text)))
            }
        }
    }

    fn lower_sequence(&self, group: &GroupMeta) -> Result<Vec<Particle>> {
        let mut particles = Vec::new();
        for element in group.elements.iter() {
            let (ty, mode) = group_member(element)?;
            if mode == ElementMode::Element {
                particles.push(Particle::Element(self.lower_element(element, ty)?));
                continue;
            }
            // A nested group: xsd-parser makes it an element of `ElementMode::Group`.
            let meta = self.meta(ty)?;
            let once = (element.min_occurs, element.max_occurs) == (1, MaxOccurs::Bounded(1));
            match &meta.variant {
                MetaTypeVariant::Choice(choice) => particles.push(Particle::Choice(
                    self.lower_choice(meta, choice, element.min_occurs, element.max_occurs)?,
                )),
                MetaTypeVariant::Sequence(inner) if once => {
                    particles.extend(self.lower_sequence(inner)?);
                }
                MetaTypeVariant::Sequence(_) => bail!(
                    "a nested xs:sequence with minOccurs/maxOccurs other than 1 is not supported"
                ),
                _ => bail!("xs:all is not supported"),
            }
        }
        Ok(particles)
    }

    fn lower_choice(
        &self,
        meta: &MetaType,
        group: &GroupMeta,
        min: usize,
        max: MaxOccurs,
    ) -> Result<ChoiceField> {
        let mut variants = Vec::new();
        for element in group.elements.iter() {
            let name = &element.ident.name;
            let (ty, mode) = group_member(element)?;
            ensure!(
                mode == ElementMode::Element,
                "an xs:choice alternative must be a single xs:element, not a nested group"
            );
            ensure!(
                (element.min_occurs, element.max_occurs) == (1, MaxOccurs::Bounded(1)),
                "xs:choice alternative `{name}` must occur exactly once (put occurrences on the choice)"
            );
            variants.push(self.lower_element(element, ty)?);
        }
        let name = variants
            .iter()
            .map(|v| names::type_name(&v.name))
            .collect::<Vec<_>>()
            .join("Or");
        Ok(ChoiceField {
            name,
            rust_name: String::new(),
            min: min_occurs(min)?,
            max: max_occurs(max)?,
            variants,
            doc: doc(&meta.documentation),
        })
    }

    fn lower_element(&self, element: &ElementMeta, ty: &TypeIdent) -> Result<ElementField> {
        let name = element.ident.name.to_string();
        let lower = || {
            ensure!(!element.nillable, "nillable elements are not supported");
            Ok(ElementField {
                name: name.clone(),
                rust_name: String::new(),
                ty: self.field_type(ty)?,
                min: min_occurs(element.min_occurs)?,
                max: max_occurs(element.max_occurs)?,
                doc: doc(&element.documentation),
                json_key: String::new(),
                json_aliases: Vec::new(),
                secret: false,
            })
        };
        lower().with_context(|| format!("element `{name}`"))
    }

    fn lower_enum(&self, decl: &Decl, meta: &MetaType, em: &EnumerationMeta) -> Result<EnumType> {
        let base = match &em.base {
            Base::Restriction(base) => self.value_type(base)?,
            _ => bail!("an enumeration must be an xs:restriction"),
        };
        ensure!(
            base == ValueType::String,
            "an enumeration must restrict xs:string"
        );
        Ok(EnumType {
            xsd_name: decl.name.clone(),
            rust_name: self.rust_names[&decl.ident].clone(),
            source_file: decl.file.clone(),
            doc: doc(&meta.documentation),
            values: em
                .variants
                .iter()
                .map(|v| v.ident.name.to_string())
                .collect(),
            variants: Vec::new(),
        })
    }

    /// The type of an element's content: a complex type or a value.
    fn field_type(&self, ty: &TypeIdent) -> Result<FieldType> {
        if ty.type_ == IdentType::Element {
            // `<xs:element ref="..."/>`: the type of the referenced global element.
            return self.field_type(self.element_type(ty)?);
        }
        if ty.ns != self.xs {
            if let MetaTypeVariant::ComplexType(_) = self.named_meta(ty)?.variant {
                return Ok(FieldType::Complex(self.rust_names[ty].clone()));
            }
        }
        Ok(FieldType::Value(self.value_type(ty)?))
    }

    /// The value type of a simple type (attribute or element text).
    fn value_type(&self, ty: &TypeIdent) -> Result<ValueType> {
        let name = ty.name.as_str();
        if ty.ns == self.xs {
            return builtin_value_type(name)
                .ok_or_else(|| anyhow!("built-in type `xs:{name}` is not supported"));
        }
        match &self.named_meta(ty)?.variant {
            MetaTypeVariant::Enumeration(_) => Ok(ValueType::Enum(self.rust_names[ty].clone())),
            MetaTypeVariant::SimpleType(simple) => {
                ensure!(!simple.is_list, "xs:list (type `{name}`) is not supported");
                let base = self.value_type(&simple.base)?;
                if name == "UidType" {
                    ensure!(
                        base == ValueType::String,
                        "`UidType` must restrict xs:string"
                    );
                    return Ok(ValueType::Uid);
                }
                // Other facets (pattern, length, range) only validate; the value type is the base's.
                Ok(base)
            }
            MetaTypeVariant::Reference(reference) => {
                ensure!(
                    reference.is_simple(),
                    "xs:list (type `{name}`) is not supported"
                );
                self.value_type(&reference.type_)
            }
            MetaTypeVariant::Union(_) => bail!("xs:union (type `{name}`) is not supported"),
            MetaTypeVariant::ComplexType(_) => {
                bail!("complex type `{name}` is used where a simple type is required")
            }
            other => bail!("type `{name}` is not supported ({})", variant_name(other)),
        }
    }

    /// The type of a global element.
    fn element_type(&self, element: &TypeIdent) -> Result<&'a TypeIdent> {
        match &self.meta(element)?.variant {
            MetaTypeVariant::Reference(reference) if !reference.nillable => Ok(&reference.type_),
            MetaTypeVariant::Reference(_) => bail!("nillable elements are not supported"),
            MetaTypeVariant::Dynamic(_) => {
                bail!("abstract elements and substitution groups are not supported")
            }
            other => bail!("unexpected element type ({})", variant_name(other)),
        }
    }

    /// The meta type of a named (non-anonymous) type.
    fn named_meta(&self, ty: &TypeIdent) -> Result<&'a MetaType> {
        ensure!(
            self.named.contains(ty),
            "anonymous (inline) types are not supported; declare a named type"
        );
        self.meta(ty)
    }

    fn meta(&self, ty: &TypeIdent) -> Result<&'a MetaType> {
        self.types
            .items
            .get(ty)
            .ok_or_else(|| anyhow!("xsd-parser produced no type for `{}`", ty.name))
    }
}

impl Decl {
    /// For error messages, e.g. ``type `FooType` (schemas/common.xsd)``.
    fn what(&self) -> String {
        let kind = if self.ident.type_ == IdentType::Element {
            "element"
        } else {
            "type"
        };
        format!("{kind} `{}` ({})", self.name, self.file)
    }
}

/// An element of a sequence or choice: its type and whether it is an element or a nested group.
fn group_member(element: &ElementMeta) -> Result<(&TypeIdent, ElementMode)> {
    match &element.variant {
        ElementMetaVariant::Type { type_, mode } => Ok((type_, *mode)),
        ElementMetaVariant::Any { .. } => bail!("xs:any is not supported"),
        ElementMetaVariant::Text => bail!("mixed content is not supported"),
    }
}

/// xsd-parser copies the base type into an extension; make sure the result has the order we
/// promise (base attributes and content first, then the extension's own).
fn check_flattened(model: &Model, derived: &str, base: &str) -> Result<()> {
    let (Some(TypeDef::Complex(derived)), Some(TypeDef::Complex(base))) =
        (model.types.get(derived), model.types.get(base))
    else {
        bail!("the base type of `{derived}` must be a complex type");
    };
    ensure!(
        derived.attributes.starts_with(&base.attributes)
            && derived.content.starts_with(&base.content),
        "extension of `{}` is not \"base members first, then own\" (e.g. a base whose content is \
         an xs:choice); not supported",
        base.xsd_name
    );
    Ok(())
}

/// The schema's path relative to the workspace root, with `/` separators.
fn relative_file(root: &Path, info: &SchemaInfo) -> Result<String> {
    let location = info
        .location
        .as_ref()
        .context("a schema without a file location")?;
    let path = location
        .to_file_path()
        .map_err(|()| anyhow!("schema location {location} is not a file"))?;
    let relative = path
        .strip_prefix(root)
        .with_context(|| format!("schema {} is outside the workspace", path.display()))?;
    let parts = relative
        .iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>();
    Ok(parts.join("/"))
}

fn describe(content: &SchemaContent) -> String {
    let named = |kind: &str, name: &Option<String>| match name {
        Some(name) => format!("{kind} `{name}`"),
        None => kind.to_owned(),
    };
    match content {
        SchemaContent::Group(x) => named("xs:group", &x.name),
        SchemaContent::AttributeGroup(x) => named("xs:attributeGroup", &x.name),
        SchemaContent::Attribute(x) => named("a top-level xs:attribute", &x.inner.name),
        SchemaContent::Redefine(_) => "xs:redefine".to_owned(),
        SchemaContent::Override(_) => "xs:override".to_owned(),
        SchemaContent::Notation(_) => "xs:notation".to_owned(),
        _ => "xs:defaultOpenContent".to_owned(),
    }
}

fn variant_name(variant: &MetaTypeVariant) -> &'static str {
    match variant {
        MetaTypeVariant::Union(_) => "union",
        MetaTypeVariant::BuildIn(_) => "built-in",
        MetaTypeVariant::Custom(_) => "custom",
        MetaTypeVariant::Reference(_) => "reference",
        MetaTypeVariant::Enumeration(_) => "enumeration",
        MetaTypeVariant::Dynamic(_) => "dynamic",
        MetaTypeVariant::All(_) => "xs:all",
        MetaTypeVariant::Choice(_) => "xs:choice",
        MetaTypeVariant::Sequence(_) => "xs:sequence",
        MetaTypeVariant::ComplexType(_) => "complex type",
        MetaTypeVariant::SimpleType(_) => "simple type",
    }
}

fn strip_type_suffix(name: &str) -> String {
    name.strip_suffix("Type")
        .filter(|s| !s.is_empty())
        .unwrap_or(name)
        .to_owned()
}

fn min_occurs(min: usize) -> Result<u32> {
    u32::try_from(min).context("minOccurs is too large")
}

fn max_occurs(max: MaxOccurs) -> Result<Option<u32>> {
    match max {
        MaxOccurs::Unbounded => Ok(None),
        MaxOccurs::Bounded(max) => Ok(Some(u32::try_from(max).context("maxOccurs is too large")?)),
    }
}

/// `xs:documentation` text, whitespace-normalised; `None` if empty.
fn doc(docs: &[String]) -> Option<String> {
    // xsd-parser returns the documentation's content as serialised XML: drop CDATA markers.
    let text = docs.join(" ").replace("<![CDATA[", "").replace("]]>", "");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// xsd-parser 1.5.2 silently drops entity and character references (`&amp;`, `&#233;`) from
/// `xs:documentation`; refuse them rather than lose text. (A text scan: no type information.)
fn check_documentation_text(file: &str, text: &str) -> Result<()> {
    for (at, _) in text.match_indices('&') {
        let before = &text[..at];
        let Some(doc) = before.rfind("documentation") else {
            continue;
        };
        let in_doc = before[..doc]
            .rfind('<')
            .is_some_and(|tag| !before[tag..].starts_with("</"));
        let in_cdata = before
            .rfind("<![CDATA[")
            .is_some_and(|c| !before[c..].contains("]]>"));
        if in_doc && !in_cdata {
            let line = before.matches('\n').count() + 1;
            bail!(
                "{file}:{line}: an entity reference (`&...;`) in xs:documentation would be \
                 dropped by xsd-parser; write the text without it (or in a CDATA section)"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="http://www.veeam.com/ent/v1.0"
    targetNamespace="http://www.veeam.com/ent/v1.0" elementFormDefault="qualified">"#;

    const COMMON: &str = r#"
  <xs:simpleType name="UidType">
    <xs:annotation><xs:documentation>A Veeam id.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string"><xs:pattern value="urn:veeam:[A-Za-z]+:.+"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="PlatformType">
    <xs:annotation>
      <xs:documentation>
        Where it runs
        <![CDATA[& more.]]>
      </xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="VMware"/>
      <xs:enumeration value="HyperV"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="ResourceType">
    <xs:annotation><xs:documentation>Base of all resources.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="Link" type="xs:string" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>Related links.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
    <xs:attribute name="Href" type="xs:anyURI" use="required">
      <xs:annotation><xs:documentation>Where it lives.</xs:documentation></xs:annotation>
    </xs:attribute>
    <xs:attribute name="Uid" type="UidType"/>
  </xs:complexType>
  <xs:complexType name="EntityRefType">
    <xs:complexContent>
      <xs:extension base="ResourceType">
        <xs:sequence>
          <xs:element name="Platform" type="PlatformType" minOccurs="0"/>
        </xs:sequence>
        <xs:attribute name="Name" type="xs:string"/>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:element name="Ref" type="EntityRefType"/>
  <xs:element name="OtherRef" type="EntityRefType"/>
</xs:schema>"#;

    const CDP: &str = r#"
  <xs:include schemaLocation="common.xsd"/>
  <xs:complexType name="CdpReplicaSessionType">
    <xs:sequence><xs:element name="State" type="xs:string"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="CdpPolicySessionType">
    <xs:sequence>
      <xs:element name="Count" type="xs:unsignedInt" minOccurs="2" maxOccurs="5"/>
      <xs:element ref="Ref" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="SessionListType">
    <xs:annotation><xs:documentation>A page of sessions.</xs:documentation></xs:annotation>
    <xs:complexContent>
      <xs:extension base="ResourceType">
        <xs:sequence>
          <xs:element name="Total" type="xs:long"/>
          <xs:choice minOccurs="0" maxOccurs="unbounded">
            <xs:annotation><xs:documentation>The sessions.</xs:documentation></xs:annotation>
            <xs:element name="CdpReplicaSession" type="CdpReplicaSessionType"/>
            <xs:element name="CdpPolicySession" type="CdpPolicySessionType"/>
          </xs:choice>
          <xs:element name="Started" type="xs:dateTime" minOccurs="0"/>
        </xs:sequence>
        <xs:attribute name="Ok" type="xs:boolean" use="required"/>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:complexType name="EitherType">
    <xs:choice>
      <xs:element name="Number" type="xs:double"/>
      <xs:element name="Text" type="xs:string"/>
    </xs:choice>
  </xs:complexType>
  <xs:element name="Sessions" type="SessionListType">
    <xs:annotation><xs:documentation>All sessions.</xs:documentation></xs:annotation>
  </xs:element>
  <xs:element name="CdpReplicaSession" type="CdpReplicaSessionType"/>
</xs:schema>"#;

    /// A fresh workspace with the given `schemas/*` files.
    fn workspace(test: &str, files: &[(&str, &str)]) -> PathBuf {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = format!("xtask-frontend-{}-{test}-{n}", std::process::id());
        let root = std::env::temp_dir().join(dir);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("schemas")).unwrap();
        for (name, body) in files {
            std::fs::write(root.join("schemas").join(name), format!("{HEAD}{body}")).unwrap();
        }
        root
    }

    fn load_in(test: &str, files: &[(&str, &str)], load_files: &[&str]) -> Result<Model> {
        let root = workspace(test, files);
        let files = load_files
            .iter()
            .map(|f| format!("schemas/{f}"))
            .collect::<Vec<_>>();
        let model = load(&root, &files);
        let _ = std::fs::remove_dir_all(&root);
        model
    }

    fn complex<'m>(model: &'m Model, name: &str) -> &'m ComplexType {
        match &model.types[name] {
            TypeDef::Complex(c) => c,
            TypeDef::Enum(e) => panic!("{name} is an enum: {e:?}"),
        }
    }

    fn element(name: &str, ty: FieldType, min: u32, max: Option<u32>) -> ElementField {
        ElementField {
            name: name.into(),
            rust_name: String::new(),
            ty,
            min,
            max,
            doc: None,
            json_key: String::new(),
            json_aliases: Vec::new(),
            secret: false,
        }
    }

    fn attribute(name: &str, ty: ValueType, required: bool) -> Attribute {
        Attribute {
            name: name.into(),
            rust_name: String::new(),
            ty,
            required,
            doc: None,
        }
    }

    fn model() -> Model {
        let files = [("common.xsd", COMMON), ("cdp.xsd", CDP)];
        load_in("model", &files, &["cdp.xsd"]).unwrap()
    }

    #[test]
    fn names_and_source_files() {
        let model = model();
        let names = model.types.keys().map(String::as_str).collect::<Vec<_>>();
        // One global element each: named after it; two (`EntityRefType`) or none: minus `Type`.
        assert_eq!(
            names,
            [
                "CdpPolicySession",
                "CdpReplicaSession",
                "Either",
                "EntityRef",
                "Platform",
                "Resource",
                "Sessions"
            ]
        );
        let file = |name: &str| model.types[name].source_file().to_owned();
        assert_eq!(file("Resource"), "schemas/common.xsd");
        assert_eq!(file("Platform"), "schemas/common.xsd");
        assert_eq!(file("Sessions"), "schemas/cdp.xsd");
        assert_eq!(complex(&model, "Sessions").xsd_name, "SessionListType");

        let roots = model
            .roots
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.type_name.as_str(),
                    r.source_file.as_str(),
                    r.doc.as_deref(),
                )
            })
            .collect::<Vec<_>>();
        assert_eq!(
            roots,
            [
                (
                    "Sessions",
                    "Sessions",
                    "schemas/cdp.xsd",
                    Some("All sessions.")
                ),
                (
                    "CdpReplicaSession",
                    "CdpReplicaSession",
                    "schemas/cdp.xsd",
                    None
                ),
                ("Ref", "EntityRef", "schemas/common.xsd", None),
                ("OtherRef", "EntityRef", "schemas/common.xsd", None),
            ]
        );
    }

    #[test]
    fn enum_and_uid() {
        let model = model();
        assert_eq!(
            model.types["Platform"],
            TypeDef::Enum(EnumType {
                xsd_name: "PlatformType".into(),
                rust_name: "Platform".into(),
                source_file: "schemas/common.xsd".into(),
                doc: Some("Where it runs & more.".into()),
                values: vec!["VMware".into(), "HyperV".into()],
                variants: Vec::new(),
            })
        );
        let resource = complex(&model, "Resource");
        assert_eq!(
            resource.attributes[1],
            attribute("Uid", ValueType::Uid, false)
        );
        // `UidType` is a value type, not an IR type.
        assert!(!model.types.contains_key("Uid"));
    }

    #[test]
    fn base_type() {
        let model = model();
        let resource = complex(&model, "Resource");
        assert_eq!(resource.base, None);
        assert_eq!(resource.doc.as_deref(), Some("Base of all resources."));
        assert_eq!(
            resource.attributes[0],
            Attribute {
                doc: Some("Where it lives.".into()),
                ..attribute("Href", ValueType::Href, true)
            }
        );
        let link = ElementField {
            doc: Some("Related links.".into()),
            ..element("Link", FieldType::Value(ValueType::String), 0, None)
        };
        assert_eq!(resource.content, [Particle::Element(link.clone())]);

        // Extension: base members first, then own.
        let entity_ref = complex(&model, "EntityRef");
        assert_eq!(entity_ref.base.as_deref(), Some("ResourceType"));
        assert_eq!(entity_ref.doc, None);
        assert_eq!(
            entity_ref.attributes[2..],
            [attribute("Name", ValueType::String, false)]
        );
        assert_eq!(entity_ref.attributes[..2], resource.attributes[..]);
        assert_eq!(
            entity_ref.content,
            [
                Particle::Element(link),
                Particle::Element(element(
                    "Platform",
                    FieldType::Value(ValueType::Enum("Platform".into())),
                    0,
                    Some(1)
                )),
            ]
        );
    }

    #[test]
    fn extension_across_files_with_choice() {
        let model = model();
        let resource = complex(&model, "Resource");
        let sessions = complex(&model, "Sessions");
        assert_eq!(sessions.base.as_deref(), Some("ResourceType"));
        assert_eq!(sessions.doc.as_deref(), Some("A page of sessions."));
        let mut attributes = resource.attributes.clone();
        attributes.push(attribute("Ok", ValueType::Bool, true));
        assert_eq!(sessions.attributes, attributes);

        let choice = ChoiceField {
            name: "CdpReplicaSessionOrCdpPolicySession".into(),
            rust_name: String::new(),
            min: 0,
            max: None,
            variants: vec![
                element(
                    "CdpReplicaSession",
                    FieldType::Complex("CdpReplicaSession".into()),
                    1,
                    Some(1),
                ),
                element(
                    "CdpPolicySession",
                    FieldType::Complex("CdpPolicySession".into()),
                    1,
                    Some(1),
                ),
            ],
            doc: Some("The sessions.".into()),
        };
        assert_eq!(
            sessions.content[1..],
            [
                Particle::Element(element(
                    "Total",
                    FieldType::Value(ValueType::Long),
                    1,
                    Some(1)
                )),
                Particle::Choice(choice),
                Particle::Element(element(
                    "Started",
                    FieldType::Value(ValueType::DateTime),
                    0,
                    Some(1)
                )),
            ]
        );
        assert_eq!(sessions.content[..1], resource.content[..]);
    }

    #[test]
    fn occurs_element_refs_and_top_level_choice() {
        let model = model();
        assert_eq!(
            complex(&model, "CdpPolicySession").content,
            [
                Particle::Element(element(
                    "Count",
                    FieldType::Value(ValueType::UnsignedInt),
                    2,
                    Some(5)
                )),
                Particle::Element(element(
                    "Ref",
                    FieldType::Complex("EntityRef".into()),
                    0,
                    Some(1)
                )),
            ]
        );
        let [Particle::Choice(choice)] = &complex(&model, "Either").content[..] else {
            panic!("expected a single choice");
        };
        assert_eq!(
            (choice.name.as_str(), choice.min, choice.max),
            ("NumberOrText", 1, Some(1))
        );
    }

    #[test]
    fn deterministic_whatever_files_are_listed() {
        let files = [("common.xsd", COMMON), ("cdp.xsd", CDP)];
        let both = load_in("both", &files, &["common.xsd", "cdp.xsd"]).unwrap();
        let reversed = load_in("reversed", &files, &["cdp.xsd", "common.xsd"]).unwrap();
        assert_eq!(both, model());
        assert_eq!(reversed, model());
    }

    /// Loads a one-file schema `bad.xsd` and returns the error message (with its context).
    fn error(test: &str, body: &str) -> String {
        let body = format!("{body}\n</xs:schema>");
        let err = load_in(test, &[("bad.xsd", &body)], &["bad.xsd"]).unwrap_err();
        format!("{err:#}")
    }

    fn assert_error(test: &str, body: &str, expected: &[&str]) {
        let message = error(test, body);
        for part in expected {
            assert!(message.contains(part), "`{part}` not in: {message}");
        }
    }

    #[test]
    fn unsupported_constructs_are_errors() {
        let ty =
            |content: &str| format!(r#"<xs:complexType name="BadType">{content}</xs:complexType>"#);
        let cases = [
            ("any", ty(r#"<xs:sequence><xs:any/></xs:sequence>"#), "xs:any"),
            (
                "anonymous",
                ty(r#"<xs:sequence><xs:element name="A"><xs:complexType/></xs:element></xs:sequence>"#),
                "anonymous",
            ),
            (
                "simple-content-restriction",
                ty(r#"<xs:simpleContent><xs:restriction base="xs:string"/></xs:simpleContent>"#),
                "restriction",
            ),
            (
                "mixed",
                r#"<xs:complexType name="BadType" mixed="true"><xs:sequence><xs:element name="A" type="xs:string"/></xs:sequence></xs:complexType>"#.into(),
                "mixed",
            ),
            (
                "builtin",
                ty(r#"<xs:attribute name="A" type="xs:duration"/>"#),
                "xs:duration",
            ),
            (
                "untyped",
                ty(r#"<xs:sequence><xs:element name="A"/></xs:sequence>"#),
                "xs:anyType",
            ),
        ];
        for (test, body, expected) in cases {
            assert_error(test, &body, &["`BadType`", "schemas/bad.xsd", expected]);
        }
        assert_error(
            "group",
            r#"<xs:group name="BadGroup"><xs:sequence/></xs:group>"#,
            &["schemas/bad.xsd", "xs:group `BadGroup`"],
        );
        assert_error(
            "entity",
            r#"<xs:complexType name="AType">
                 <xs:annotation><xs:documentation>A &amp; B</xs:documentation></xs:annotation>
               </xs:complexType>"#,
            &["schemas/bad.xsd:4:", "entity reference"],
        );
        assert_error(
            "clash",
            r#"<xs:complexType name="AType"/><xs:complexType name="BType"/>
               <xs:element name="A" type="BType"/>"#,
            &["`AType`", "`BType`", "Rust name `A`"],
        );
    }
}
