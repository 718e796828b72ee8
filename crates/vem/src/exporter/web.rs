//! `--web-config FILE`: TLS and basic authentication on the exporter's listener, in the YAML
//! format of the Prometheus exporter-toolkit, so that a file written for the node exporter
//! works here:
//!
//! ```yaml
//! tls_server_config:
//!   cert_file: exporter.crt      # PEM, the certificate chain; paths relative to this file
//!   key_file: exporter.key       # PEM, its private key
//! basic_auth_users:
//!   prometheus: $2y$10$...       # a bcrypt hash (htpasswd -nBC 10 "" | tr -d ':\n')
//! ```
//!
//! Keys of the toolkit this exporter does not implement (client certificates, cipher and
//! version choices, HTTP headers) are refused by name rather than ignored: a file that asks
//! for more protection than it gets is an error, not a surprise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use yaml_rust2::Yaml;

/// What the web configuration asks for.
#[derive(Debug, Default)]
pub struct WebConfig {
    /// Serve HTTPS with this configuration.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// User name to bcrypt hash; empty: no authentication.
    users: BTreeMap<String, String>,
    /// `Authorization` values already verified (bcrypt is slow on purpose; Prometheus sends
    /// the same header at every scrape).
    verified: Mutex<std::collections::HashSet<String>>,
}

fn text(value: &Yaml, what: &str) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: expected text"))
}

/// The keys of a mapping, each checked against `known`.
fn mapping<'a>(
    value: &'a Yaml,
    what: &str,
    known: &[&str],
) -> Result<Vec<(String, &'a Yaml)>, String> {
    let hash = value
        .as_hash()
        .ok_or_else(|| format!("{what}: expected a mapping"))?;
    let mut out = Vec::new();
    for (k, v) in hash {
        let key = text(k, what)?;
        if !known.is_empty() && !known.contains(&key.as_str()) {
            return Err(format!(
                "{what}: {key:?} is not supported (supported: {})",
                known.join(", ")
            ));
        }
        out.push((key, v));
    }
    Ok(out)
}

impl WebConfig {
    /// Reads and checks `path` (certificate files relative to it).
    pub fn read(path: &Path) -> Result<Self, String> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&source, base).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(source: &str, base: &Path) -> Result<Self, String> {
        let docs = yaml_rust2::YamlLoader::load_from_str(source).map_err(|e| e.to_string())?;
        let mut config = WebConfig::default();
        let Some(root) = docs.first() else {
            return Ok(config);
        };
        if matches!(root, Yaml::Null) {
            return Ok(config);
        }
        for (key, value) in mapping(
            root,
            "web config",
            &["tls_server_config", "basic_auth_users"],
        )? {
            match key.as_str() {
                "tls_server_config" => {
                    let (mut cert, mut key) = (None, None);
                    for (k, v) in mapping(value, "tls_server_config", &["cert_file", "key_file"])? {
                        let file = base.join(text(v, &k)?);
                        match k.as_str() {
                            "cert_file" => cert = Some(file),
                            _ => key = Some(file),
                        }
                    }
                    match (cert, key) {
                        (Some(cert), Some(key)) => config.tls = Some(tls(&cert, &key)?),
                        _ => {
                            return Err(
                                "tls_server_config needs both cert_file and key_file".to_owned()
                            )
                        }
                    }
                }
                _ => {
                    for (user, hash) in mapping(value, "basic_auth_users", &[])? {
                        let hash = text(hash, &format!("basic_auth_users.{user}"))?;
                        if !hash.starts_with("$2") {
                            return Err(format!(
                                "basic_auth_users.{user}: expected a bcrypt hash ($2y$...), not a password"
                            ));
                        }
                        config.users.insert(user, hash);
                    }
                }
            }
        }
        Ok(config)
    }

    /// Whether a request with this `Authorization` header may be served, when that is known
    /// without hashing a password (no users, no header, a header already verified); `None`
    /// when only [`WebConfig::allows`] can tell, with bcrypt.
    pub fn settled(&self, authorization: Option<&[u8]>) -> Option<bool> {
        if self.users.is_empty() {
            return Some(true);
        }
        let Some(header) = authorization.and_then(|h| std::str::from_utf8(h).ok()) else {
            return Some(false);
        };
        let known = self
            .verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(header);
        known.then_some(true)
    }

    /// Whether a request with this `Authorization` header may be served.
    pub fn allows(&self, authorization: Option<&[u8]>) -> bool {
        if let Some(answer) = self.settled(authorization) {
            return answer;
        }
        let Some(header) = authorization.and_then(|h| std::str::from_utf8(h).ok()) else {
            return false;
        };
        let Some(encoded) = header.strip_prefix("Basic ") else {
            return false;
        };
        use base64::Engine as _;
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(pair) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = pair.split_once(':') else {
            return false;
        };
        let ok = self
            .users
            .get(user)
            .is_some_and(|hash| bcrypt::verify(password, hash).unwrap_or(false));
        if ok {
            self.verified
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(header.to_owned());
        }
        ok
    }
}

/// A rustls server configuration from PEM files.
fn tls(cert: &PathBuf, key: &PathBuf) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| format!("cert_file {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("cert_file {}: no certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("key_file {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("tls_server_config: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_need_their_bcrypt_password_and_unsupported_keys_are_named() {
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let config = WebConfig::parse(
            &format!("basic_auth_users:\n  prom: '{hash}'\n"),
            Path::new("."),
        )
        .unwrap();
        use base64::Engine as _;
        let header = |pair: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        };
        // Not known without bcrypt until it has been verified once; then settled, from the
        // cache of verified headers.
        assert_eq!(config.settled(Some(header("prom:s3cret").as_bytes())), None);
        assert!(config.allows(Some(header("prom:s3cret").as_bytes())));
        assert_eq!(
            config.settled(Some(header("prom:s3cret").as_bytes())),
            Some(true)
        );
        assert!(config.allows(Some(header("prom:s3cret").as_bytes())));
        assert_eq!(config.settled(Some(header("prom:wrong").as_bytes())), None);
        assert_eq!(config.settled(None), Some(false));
        assert_eq!(WebConfig::default().settled(None), Some(true));
        assert!(!config.allows(Some(header("prom:wrong").as_bytes())));
        assert!(!config.allows(Some(header("other:s3cret").as_bytes())));
        assert!(!config.allows(None));
        assert!(WebConfig::default().allows(None));

        let plain =
            WebConfig::parse("basic_auth_users:\n  prom: s3cret\n", Path::new(".")).unwrap_err();
        assert!(plain.contains("bcrypt"), "{plain}");
        let unknown = WebConfig::parse(
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
            Path::new("."),
        )
        .unwrap_err();
        assert!(unknown.contains("client_auth_type"), "{unknown}");
        let top =
            WebConfig::parse("http_server_config:\n  http2: false\n", Path::new(".")).unwrap_err();
        assert!(top.contains("http_server_config"), "{top}");
    }
}
