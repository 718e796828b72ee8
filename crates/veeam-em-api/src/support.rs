//! The small runtime the generated `mod.rs` invokes for the model's types, one line per type:
//! decoding them from a response and encoding them into one (`bodies!`), following their
//! `Href` (`follow!`) and finding their links (`links!`). The impls are the same for every
//! type; only the list of types comes from the schemas.

/// `FromResponse` and `ToResponse` for each listed root type of the model.
macro_rules! bodies {
    ($($(#[$cfg:meta])* $ty:ident;)*) => {$(
        $(#[$cfg])*
        impl $crate::response::FromResponse for veeam_em_model::$ty {
            fn from_response(
                entry: &'static $crate::Entry,
                response: &http::Response<&[u8]>,
            ) -> Result<Self, $crate::ApiError> {
                $crate::response::decode_body(entry, response)
            }
        }

        $(#[$cfg])*
        impl $crate::response::ToResponse for veeam_em_model::$ty {
            fn to_response(
                &self,
                entry: &'static $crate::Entry,
                wire: veeam_em_model::Wire,
            ) -> http::Response<Vec<u8>> {
                $crate::response::encode_body(entry, self, wire)
            }
        }
    )*};
}

/// `Follow` for each listed type: those whose `Href` is required, then those where it is
/// optional.
macro_rules! follow {
    (
        required: [$($(#[$rcfg:meta])* $r:ident;)*]
        optional: [$($(#[$ocfg:meta])* $o:ident;)*]
    ) => {
        $(
            $(#[$rcfg])*
            impl $crate::route::Follow for veeam_em_model::$r {
                fn href(&self) -> Option<&str> {
                    Some(&self.href)
                }
            }
        )*
        $(
            $(#[$ocfg])*
            impl $crate::route::Follow for veeam_em_model::$o {
                fn href(&self) -> Option<&str> {
                    self.href.as_deref()
                }
            }
        )*
    };
}

/// `Links` for each listed type: those whose `Links` element is required, then those where it
/// is optional.
macro_rules! links {
    (
        required: [$($(#[$rcfg:meta])* $r:ident;)*]
        optional: [$($(#[$ocfg:meta])* $o:ident;)*]
    ) => {
        $(
            $(#[$rcfg])*
            impl $crate::route::Links for veeam_em_model::$r {
                fn link(&self, rel: &str) -> Option<&veeam_em_model::Link> {
                    self.links.link(rel)
                }
            }
        )*
        $(
            $(#[$ocfg])*
            impl $crate::route::Links for veeam_em_model::$o {
                fn link(&self, rel: &str) -> Option<&veeam_em_model::Link> {
                    self.links.as_ref().and_then(|l| l.link(rel))
                }
            }
        )*
    };
}

pub(crate) use {bodies, follow, links};
