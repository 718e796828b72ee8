//! Lists the CDP task sessions of an Enterprise Manager with the blocking client (feature
//! `blocking`). Also the probe of the README's binary-size figure for that feature.
//!
//! ```sh
//! cargo run -p vem -- sim --port 9398 &     # or a real server, with VEEAM_EM_CA_CERT=em.pem
//! VEEAM_EM_PASSWORD=admin cargo run -p veeam-em-client --example list_blocking -- http://127.0.0.1:9398/api admin
//! ```

use veeam_em_api::query::Query;
use veeam_em_api::{api, BaseUrl, Credentials};
use veeam_em_client::{Client, ClientConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(user)) = (args.next(), args.next()) else {
        return Err("usage: list_blocking API_URL USER (password in VEEAM_EM_PASSWORD)".into());
    };
    let password = std::env::var("VEEAM_EM_PASSWORD")?;
    let mut config =
        ClientConfig::new(BaseUrl::parse(&url)?).credentials(Credentials::new(&user, &password));
    if let Ok(pem) = std::env::var("VEEAM_EM_CA_CERT") {
        config = config.ca_certificate_file(pem)?;
    }
    let client = Client::connect(config)?;
    let query = api::query().cdp_replica_task_session(Query::new().page_size(500));
    for session in client.query_entities(query) {
        let s = session?;
        println!(
            "{}\t{:?}\t{:?}\t{}",
            s.name.as_deref().unwrap_or(""),
            s.state,
            s.result,
            s.uid.as_ref().map(ToString::to_string).unwrap_or_default()
        );
    }
    client.logout()?;
    Ok(())
}
