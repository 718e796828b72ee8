//! Bounds on what the decoders accept, so that no input (a hostile server, a proxy's error page,
//! a corrupted capture) costs more than a known amount of time and memory.
//!
//! The defaults are far above what Enterprise Manager sends (documents of a few MB, nesting under
//! 15 levels, a dozen attributes) and far below what would hurt a process. They apply to every
//! decode on the current thread: [`Limits::scope`] sets others for the decodes a closure runs
//! (the clients do this with the limits of their configuration), so that the generated decoders
//! need no extra argument.
//!
//! Checks cost next to nothing on the hot path: the document size once, the depth and the count
//! of children per element as they are counted anyway, attributes only when a start tag is
//! longer than [`Limits::max_value_bytes`] or than 16 bytes per allowed attribute.

use std::cell::Cell;
use std::fmt;

/// What a limit bounds (in [`DecodeErrorKind::LimitExceeded`](super::DecodeErrorKind)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// The size of a whole document (or, streaming, of one item).
    DocumentBytes,
    /// Attributes on one element.
    Attributes,
    /// The length of one attribute value or one text value, in bytes as written.
    ValueBytes,
    /// Child elements of one element (the items of one list).
    Items,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DocumentBytes => "bytes in one document",
            Self::Attributes => "attributes on one element (members of one JSON object)",
            Self::ValueBytes => "bytes in one value",
            Self::Items => "child elements of one element (items of one JSON array)",
        })
    }
}

/// Bounds on what a decoder accepts; see the module documentation. Nesting depth is bounded too
/// (by `max_depth`, reported as `TooDeep`). `<!DOCTYPE>` (and so every entity definition) is
/// always refused, whatever the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document, in bytes (default 256 MiB).
    pub max_document_bytes: usize,
    /// Deepest element nesting (default 64; real documents stay under 15).
    pub max_depth: usize,
    /// Most attributes on one element, or members of one JSON object (default 256).
    pub max_attributes: usize,
    /// Longest attribute value or text, in bytes as written (default 4 MiB).
    pub max_value_bytes: usize,
    /// Most child elements of one element, or items of one JSON array (default 2,000,000).
    pub max_items: usize,
}

impl Limits {
    /// The defaults.
    pub const DEFAULT: Self = Self {
        max_document_bytes: 256 << 20,
        max_depth: super::MAX_DEPTH,
        max_attributes: 256,
        max_value_bytes: 4 << 20,
        max_items: 2_000_000,
    };

    /// The limits that apply to decodes on this thread now.
    pub fn current() -> Self {
        CURRENT.with(Cell::get)
    }

    /// Runs `f` with these limits applying to every decode it does on this thread, then
    /// restores the previous ones (also when `f` panics).
    pub fn scope<R>(self, f: impl FnOnce() -> R) -> R {
        struct Restore(Limits);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.with(|c| c.set(self.0));
            }
        }
        let _restore = Restore(CURRENT.with(|c| c.replace(self)));
        f()
    }

    /// These limits with another maximum document size.
    pub fn max_document_bytes(mut self, bytes: usize) -> Self {
        self.max_document_bytes = bytes;
        self
    }

    /// These limits with another maximum depth.
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// These limits with another maximum number of attributes per element.
    pub fn max_attributes(mut self, count: usize) -> Self {
        self.max_attributes = count;
        self
    }

    /// These limits with another maximum value length.
    pub fn max_value_bytes(mut self, bytes: usize) -> Self {
        self.max_value_bytes = bytes;
        self
    }

    /// These limits with another maximum number of children per element.
    pub fn max_items(mut self, count: usize) -> Self {
        self.max_items = count;
        self
    }

    /// The start tag length above which its attributes are counted and measured.
    pub(crate) fn tag_check_threshold(&self) -> usize {
        self.max_value_bytes
            .min(self.max_attributes.saturating_mul(16))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

thread_local! {
    static CURRENT: Cell<Limits> = const { Cell::new(Limits::DEFAULT) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_restore() {
        assert_eq!(Limits::current(), Limits::DEFAULT);
        let small = Limits::DEFAULT.max_depth(3);
        small.scope(|| {
            assert_eq!(Limits::current().max_depth, 3);
            Limits::DEFAULT.max_items(5).scope(|| {
                assert_eq!(Limits::current().max_items, 5);
            });
            assert_eq!(Limits::current(), small);
        });
        let _ = std::panic::catch_unwind(|| small.scope(|| panic!("inside")));
        assert_eq!(Limits::current(), Limits::DEFAULT);
    }
}
