//! `AnyOperation` and `AnyRequest`, the enums over every operation, from one list.
//!
//! The generated `mod.rs` names each operation once, in one invocation of
//! [`any_operations!`]: the operations an `Href` alone can stand for (`routable`), then the
//! others (a request body or credentials). This macro writes both enums and every match over
//! them (and each routable operation's `TryFrom<&Incoming>`, which is its route's), so a new
//! operation in the catalogue is one more line of that list, and the two enums cannot disagree.
//! An operation's catalogue entry name is its type name.

/// Writes `AnyOperation` (the routable operations) and `AnyRequest` (all of them).
macro_rules! any_operations {
    (
        routable: [$($(#[$rcfg:meta])* $r:ident $rdoc:literal;)*]
        other: [$($(#[$ocfg:meta])* $o:ident $odoc:literal;)*]
    ) => {
        /// Any operation an `Href` alone can stand for (no request body, no credentials).
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyOperation {
            $($(#[$rcfg])* #[doc = $rdoc] $r($crate::ops::$r),)*
        }

        impl AnyOperation {
            /// The typed operation of a route.
            pub fn from_route(
                route: &$crate::route::Route,
            ) -> Result<Self, $crate::route::RouteError> {
                match route.entry.name {
                    $($(#[$rcfg])* stringify!($r) => {
                        $crate::ops::$r::try_from(route).map(Self::$r)
                    })*
                    _ => Err($crate::route::RouteError::OtherOperation {
                        url: route.entry.template(),
                        expected: "an operation without body or credentials",
                        found: route.entry.name,
                    }),
                }
            }

            /// Builds its request.
            pub fn request(
                &self,
                base: &$crate::BaseUrl,
                session: Option<&$crate::SessionToken>,
            ) -> Result<http::Request<Vec<u8>>, $crate::ApiError> {
                use $crate::operation::Operation as _;
                match self {
                    $($(#[$rcfg])* Self::$r(op) => op.request(base, session),)*
                }
            }

            /// Its catalogue entry.
            pub fn entry(&self) -> &'static $crate::Entry {
                use $crate::operation::Operation as _;
                match self {
                    $($(#[$rcfg])* Self::$r(_) => $crate::ops::$r::ENTRY,)*
                }
            }
        }

        // A routable operation, as a server receives it: from its route alone.
        $(
            $(#[$rcfg])*
            impl TryFrom<&$crate::incoming::Incoming> for $crate::ops::$r {
                type Error = $crate::incoming::RequestError;

                fn try_from(
                    incoming: &$crate::incoming::Incoming,
                ) -> Result<Self, $crate::incoming::RequestError> {
                    Ok(Self::try_from(&incoming.route)?)
                }
            }
        )*

        /// So that any href can be followed without knowing its operation:
        /// `link.follow::<AnyOperation>()`.
        impl TryFrom<&$crate::route::Route> for AnyOperation {
            type Error = $crate::route::RouteError;

            fn try_from(route: &$crate::route::Route) -> Result<Self, $crate::route::RouteError> {
                Self::from_route(route)
            }
        }

        /// Any operation of the catalogue, as a server receives it (see
        /// [`Incoming`](crate::incoming::Incoming)).
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyRequest {
            $($(#[$rcfg])* #[doc = $rdoc] $r($crate::ops::$r),)*
            $($(#[$ocfg])* #[doc = $odoc] $o($crate::ops::$o),)*
        }

        impl AnyRequest {
            /// The typed operation of an incoming request.
            pub fn from_incoming(
                incoming: &$crate::incoming::Incoming,
            ) -> Result<Self, $crate::incoming::RequestError> {
                match incoming.route.entry.name {
                    $($(#[$rcfg])* stringify!($r) => {
                        $crate::ops::$r::try_from(incoming).map(Self::$r)
                    })*
                    $($(#[$ocfg])* stringify!($o) => {
                        $crate::ops::$o::try_from(incoming).map(Self::$o)
                    })*
                    other => Err($crate::route::RouteError::OtherOperation {
                        url: incoming.route.entry.template(),
                        expected: "an operation of the catalogue",
                        found: other,
                    }
                    .into()),
                }
            }

            /// Its catalogue entry.
            pub fn entry(&self) -> &'static $crate::Entry {
                use $crate::operation::Operation as _;
                match self {
                    $($(#[$rcfg])* Self::$r(_) => $crate::ops::$r::ENTRY,)*
                    $($(#[$ocfg])* Self::$o(_) => $crate::ops::$o::ENTRY,)*
                }
            }

            /// Builds its request again (what a client would send).
            pub fn request(
                &self,
                base: &$crate::BaseUrl,
                session: Option<&$crate::SessionToken>,
            ) -> Result<http::Request<Vec<u8>>, $crate::ApiError> {
                use $crate::operation::Operation as _;
                match self {
                    $($(#[$rcfg])* Self::$r(op) => op.request(base, session),)*
                    $($(#[$ocfg])* Self::$o(op) => op.request(base, session),)*
                }
            }
        }
    };
}

pub(crate) use any_operations;
