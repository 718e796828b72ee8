//! Deterministic benchmark inputs: `EntityReferences` documents shaped like the seed document
//! (each `Ref` with a UID and three `Link`s), about 650 bytes per `Ref`.

use std::fmt::Write as _;

/// A `<EntityReferences>` document with `refs` items; the same `refs` always gives the same bytes.
pub fn entity_references(refs: usize) -> String {
    let mut out = String::with_capacity(refs * 900 + 200);
    write_entity_references(refs, |chunk| out.push_str(chunk));
    out
}

/// Writes the document of [`entity_references`] to a file, one `Ref` at a time (so that huge
/// documents never sit in memory).
pub fn write_file(refs: usize, path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut result = Ok(());
    write_entity_references(refs, |chunk| {
        if result.is_ok() {
            result = file.write_all(chunk.as_bytes());
        }
    });
    result?;
    file.flush()
}

fn write_entity_references(refs: usize, mut sink: impl FnMut(&str)) {
    let mut out = String::with_capacity(2048);
    sink("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    sink("<EntityReferences xmlns=\"http://www.veeam.com/ent/v1.0\">\n");
    for i in 0..refs {
        out.clear();
        let id = pseudo_uuid(i as u64);
        let session = pseudo_uuid(i as u64 / 16 + 1_000_000);
        let name = if i % 7 == 0 {
            // Some names need escaping, like real VM names with `&`.
            format!("vm-{i:06} &amp; db@2021-02-12 00:00:10")
        } else {
            format!("virt03-vm{i:06}@2021-02-12 00:00:10")
        };
        let _ = write!(
            out,
            concat!(
                "  <Ref Type=\"CdpReplicaTaskSessionReference\" Href=\"https://localhost:9398/api/cdpReplicaTaskSessions/{id}\" Name=\"{name}\" UID=\"urn:veeam:CdpReplicaTaskSession:{id}\">\n",
                "    <Links>\n",
                "      <Link Rel=\"Up\" Type=\"BackupServerReference\" Href=\"https://localhost:9398/api/backupServers/cca0b96b-4924-4461-8899-b831bc00176e\" Name=\"enterprise03.tech.local\" />\n",
                "      <Link Rel=\"Up\" Type=\"CdpReplicaSessionReference\" Href=\"https://localhost:9398/api/cdpReplicaSessions/{session}\" Name=\"CDP Policy 1@2021-02-11 19:08:36\" />\n",
                "      <Link Rel=\"Alternate\" Type=\"CdpReplicaTaskSession\" Href=\"https://localhost:9398/api/cdpReplicaTaskSessions/{id}?format=Entity\" Name=\"{name}\" />\n",
                "    </Links>\n",
                "  </Ref>\n"
            ),
            id = id,
            session = session,
            name = name,
        );
        sink(&out);
    }
    sink("</EntityReferences>\n");
}

/// A UUID-shaped string derived from `n` (splitmix64), deterministic across runs.
fn pseudo_uuid(n: u64) -> String {
    let mut x = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut next = || {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (a, b) = (next(), next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0x3fff | 0x8000,
        b & 0xffff_ffff_ffff
    )
}
