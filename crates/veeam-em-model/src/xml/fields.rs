//! The runtime the generated `FromXml` and `ToXml` impls call, one call per field: each
//! helper reads (or writes) one attribute or child element of one shape (optional, required,
//! repeated), converts it, and refuses a second occurrence of a single one with the error the
//! decoders have always given. Keeping this logic here, once, is what keeps the generated code
//! at about one line per field, the way rust-analyzer's generated syntax nodes are one line per
//! accessor over `support::child`.

use super::attributes::RawAttribute;
use super::error::DecodeError;
use super::reader::{Child, FromXml, XmlReader};
use super::value::XmlValue;
use super::writer::{ToXml, XmlWriter};

impl<'a> XmlReader<'a> {
    /// An optional attribute into `slot` (a second one is an error; an empty value of a type
    /// where empty means absent leaves it `None`).
    #[inline]
    pub fn attribute<T: XmlValue>(
        &self,
        slot: &mut Option<T>,
        element: &Child<'a>,
        attr: &RawAttribute<'a>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        if slot.is_some() {
            return Err(self.duplicate_attribute(attr, name));
        }
        *slot = self.optional_attribute_value(element, attr, name)?;
        Ok(())
    }

    /// A required attribute into `slot` (a second one is an error).
    #[inline]
    pub fn required_attribute<T: XmlValue>(
        &self,
        slot: &mut Option<T>,
        element: &Child<'a>,
        attr: &RawAttribute<'a>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        if slot.is_some() {
            return Err(self.duplicate_attribute(attr, name));
        }
        *slot = Some(self.attribute_value(element, attr, name)?);
        Ok(())
    }

    /// An optional child with a simple type into `slot`: `xsi:nil` (and empty text where the
    /// type says so) leaves it `None`; a second one is an error.
    #[inline]
    pub fn optional_value<T: XmlValue>(
        &mut self,
        slot: &mut Option<T>,
        child: Child<'a>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        let offset = child.offset;
        match self.optional_value_child(child, name)? {
            Some(value) => self.set_once(slot, value, name, offset),
            None => Ok(()),
        }
    }

    /// A single child with a simple type into `slot`; a second one is an error.
    #[inline]
    pub fn value<T: XmlValue>(
        &mut self,
        slot: &mut Option<T>,
        child: Child<'a>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        self.value_choice(slot, child, name, std::convert::identity)
    }

    /// A single child with a complex type into `slot`; a second one is an error.
    #[inline]
    pub fn complex<T: FromXml>(
        &mut self,
        slot: &mut Option<T>,
        child: Child<'a>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        self.complex_choice(slot, child, name, std::convert::identity)
    }

    /// One more child with a simple type, appended to `list` (errors name it `name[n]`).
    #[inline]
    pub fn push_value<T: XmlValue>(
        &mut self,
        list: &mut Vec<T>,
        child: Child<'a>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        let value = self.value_child(child, name, Some(list.len() + 1))?;
        list.push(value);
        Ok(())
    }

    /// One more child with a complex type, appended to `list` (errors name it `name[n]`).
    #[inline]
    pub fn push_complex<T: FromXml>(
        &mut self,
        list: &mut Vec<T>,
        child: Child<'a>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        let value = self.complex_child(child, name, Some(list.len() + 1))?;
        list.push(value);
        Ok(())
    }

    /// A single alternative of a choice (a simple type), wrapped into `slot`; a second
    /// alternative is an error.
    #[inline]
    pub fn value_choice<T: XmlValue, E>(
        &mut self,
        slot: &mut Option<E>,
        child: Child<'a>,
        name: &'static str,
        wrap: impl FnOnce(T) -> E,
    ) -> Result<(), DecodeError> {
        let offset = child.offset;
        let value = self.value_child(child, name, None)?;
        self.set_once(slot, wrap(value), name, offset)
    }

    /// A single alternative of a choice (a complex type), wrapped into `slot`; a second
    /// alternative is an error.
    #[inline]
    pub fn complex_choice<T: FromXml, E>(
        &mut self,
        slot: &mut Option<E>,
        child: Child<'a>,
        name: &'static str,
        wrap: impl FnOnce(T) -> E,
    ) -> Result<(), DecodeError> {
        let offset = child.offset;
        let value = self.complex_child(child, name, None)?;
        self.set_once(slot, wrap(value), name, offset)
    }

    /// One more alternative of a repeated choice (a simple type), appended to `list`; `count`
    /// numbers this alternative's occurrences (errors name it `name[n]`).
    #[inline]
    pub fn push_value_choice<T: XmlValue, E>(
        &mut self,
        list: &mut Vec<E>,
        count: &mut usize,
        child: Child<'a>,
        name: &'static str,
        wrap: impl FnOnce(T) -> E,
    ) -> Result<(), DecodeError> {
        *count += 1;
        let value = self.value_child(child, name, Some(*count))?;
        list.push(wrap(value));
        Ok(())
    }

    /// One more alternative of a repeated choice (a complex type), appended to `list`; `count`
    /// numbers this alternative's occurrences (errors name it `name[n]`).
    #[inline]
    pub fn push_complex_choice<T: FromXml, E>(
        &mut self,
        list: &mut Vec<E>,
        count: &mut usize,
        child: Child<'a>,
        name: &'static str,
        wrap: impl FnOnce(T) -> E,
    ) -> Result<(), DecodeError> {
        *count += 1;
        let value = self.complex_child(child, name, Some(*count))?;
        list.push(wrap(value));
        Ok(())
    }
}

impl<'v> XmlWriter<'v> {
    /// Writes an attribute when it is there.
    #[inline]
    pub fn optional_attribute<T: XmlValue>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.attribute_value(name, value);
        }
    }

    /// Writes `<name>value</name>` when it is there.
    #[inline]
    pub fn optional_value<T: XmlValue>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.value_element(name, value);
        }
    }

    /// Writes `<name>value</name>` for each value.
    #[inline]
    pub fn values<T: XmlValue>(&mut self, name: &str, values: &[T]) {
        for value in values {
            self.value_element(name, value);
        }
    }

    /// Writes element `name` when it is there.
    #[inline]
    pub fn optional_complex<T: ToXml>(&mut self, name: &str, value: &'v Option<T>) {
        if let Some(value) = value {
            value.to_xml(self, name);
        }
    }

    /// Writes element `name` for each value.
    #[inline]
    pub fn complexes<T: ToXml>(&mut self, name: &str, values: &'v [T]) {
        for value in values {
            value.to_xml(self, name);
        }
    }
}
