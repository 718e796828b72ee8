//! The family plug-ins (see `family.rs`): what a family does beyond the generic world.

mod cdp;
mod infrastructure;
mod jobs;
mod lookup;
mod reports;

use crate::config::SimConfig;
use crate::family::Family;

/// Every family plug-in, in the order the world asks them.
pub(crate) fn all(config: &SimConfig) -> Vec<Box<dyn Family>> {
    vec![
        Box::new(cdp::Cdp::new(config)),
        Box::new(jobs::Jobs::new(config)),
        Box::new(infrastructure::Infrastructure::new()),
        Box::new(lookup::Lookup::new()),
        Box::new(reports::Reports),
    ]
}
