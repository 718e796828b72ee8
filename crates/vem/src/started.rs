//! What the commands that act on one object share: the object named by id or UID, and the task
//! the action starts, printed (and exit status 1 when it failed).

use veeam_em_model::{Document, Task, Uid};

use crate::exit::{Exit, Failure};
use crate::output::{print_document, Output};

/// The id of an object of `kind` given by id or UID; a UID of another kind is refused (exit 2)
/// rather than sent as an id of this kind.
pub fn id(text: &str, kind: &str) -> Result<String, Failure> {
    match Uid::parse(text) {
        Ok(uid) if uid.kind() == kind => Ok(uid.id().to_owned()),
        Ok(uid) => Err(Failure::new(
            Exit::Usage,
            format!(
                "{text} is the UID of a {}; a {kind} is expected here (urn:veeam:{kind}:ID, or the ID alone)",
                uid.kind()
            ),
        )),
        Err(_) => Ok(text.to_owned()),
    }
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

/// Waits for `task_id` (up to `timeout`), showing its progress on a terminal.
pub fn wait<T: veeam_em_client::Transport>(
    client: &veeam_em_client::Client<T>,
    task_id: &str,
    timeout: std::time::Duration,
) -> Result<Task, veeam_em_client::ClientError> {
    let progress = crate::output::Progress::new();
    let started = std::time::Instant::now();
    let done = client.wait_task_observed(task_id, timeout, &mut |task| {
        progress.task(task, started.elapsed());
    });
    progress.done();
    done
}
