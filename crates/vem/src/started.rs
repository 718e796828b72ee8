//! What the commands that act on one object share: the object named by id or UID, and the task
//! the action starts, printed (and exit status 1 when it failed).

use veeam_em_model::{Document, Task, Uid};

use crate::exit::{Exit, Failure};
use crate::output::{print_document, Output};

/// The id part of a UID, or the text itself.
pub fn id(text: &str) -> String {
    Uid::parse(text).map_or_else(|_| text.to_owned(), |u| u.id().to_owned())
}

/// Prints `task` as the server sent it (a bare task, as `vem task` prints it); a task that
/// finished with a failure is an error.
pub fn print_task(task: Task, output: Output) -> Result<(), Failure> {
    let failed = task.result.as_ref().is_some_and(|r| !r.success);
    print_document(&Document::Task(task), None, output)?;
    if failed {
        return Err(Failure::new(Exit::Local, "the task failed"));
    }
    Ok(())
}
