//! Moving between the pages of a query result through its `PagingInfo` links.

use veeam_em_model::{Link, QueryResult};

use crate::route::{Follow, Route, RouteError};

/// Which page to go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `Rel="First"`
    First,
    /// `Rel="Previous"` (servers also write `Prev`)
    Previous,
    /// `Rel="Next"`
    Next,
    /// `Rel="Last"`
    Last,
}

impl Page {
    fn matches(self, rel: &str) -> bool {
        let names: &[&str] = match self {
            Page::First => &["First"],
            Page::Previous => &["Previous", "Prev"],
            Page::Next => &["Next"],
            Page::Last => &["Last"],
        };
        names.iter().any(|n| n.eq_ignore_ascii_case(rel))
    }
}

/// The paging link of `result` for `page`, if the server sent one.
pub fn page_link(result: &QueryResult, page: Page) -> Option<&Link> {
    result
        .paging_info
        .as_ref()?
        .links
        .as_ref()?
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_some_and(|r| page.matches(r)))
}

/// The typed operation that fetches `page`, e.g.
/// `page_operation::<QueryCdpReplicaSessions>(&result, Page::Next)`; `None` on the last page.
pub fn page_operation<O>(result: &QueryResult, page: Page) -> Option<Result<O, RouteError>>
where
    O: for<'r> TryFrom<&'r Route, Error = RouteError>,
{
    page_link(result, page).map(|link| link.follow::<O>())
}
