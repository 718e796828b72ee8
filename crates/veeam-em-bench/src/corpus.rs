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

/// The same document in the server's JSON form (what our encoder writes of the XML one).
pub fn entity_references_json(refs: usize) -> String {
    let mut out = String::with_capacity(refs * 700 + 200);
    write_entity_references_json(refs, |chunk| out.push_str(chunk));
    out
}

/// Writes the document of [`entity_references_json`] to a file, a thousand `Ref`s at a time.
pub fn write_json_file(refs: usize, path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut result = Ok(());
    write_entity_references_json(refs, |chunk| {
        if result.is_ok() {
            result = file.write_all(chunk.as_bytes());
        }
    });
    result?;
    file.flush()
}

/// The JSON form, a thousand `Ref`s at a time: each chunk of the XML document decoded and
/// encoded as JSON by the model, its items joined into one list.
fn write_entity_references_json(refs: usize, mut sink: impl FnMut(&str)) {
    sink("{\"Refs\":[");
    let mut first = 0;
    while first < refs {
        let count = (refs - first).min(1000);
        let mut xml = String::with_capacity(count * 900);
        write_refs(first, count, |chunk| xml.push_str(chunk));
        let doc: veeam_em_model::EntityReferences =
            veeam_em_model::from_str(&xml).expect("the corpus decodes");
        let json = veeam_em_model::json::to_string(&doc);
        let items = json
            .strip_prefix("{\"Refs\":[")
            .and_then(|j| j.strip_suffix("]}"))
            .expect("a list of Refs");
        if first > 0 {
            sink(",");
        }
        sink(items);
        first += count;
    }
    sink("]}");
}

fn write_entity_references(refs: usize, sink: impl FnMut(&str)) {
    write_refs(0, refs, sink);
}

/// The document of the `Ref`s `first..first + count` (their ids and names follow the index).
fn write_refs(first: usize, count: usize, mut sink: impl FnMut(&str)) {
    let mut out = String::with_capacity(2048);
    sink("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    sink("<EntityReferences xmlns=\"http://www.veeam.com/ent/v1.0\">\n");
    for i in first..first + count {
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
