//! Loading the certificate and key offered through `STARTTLS`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;

/// Why a certificate or key could not be used. Meant to stop the server at start with a clear message.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid PEM: {detail}")]
    Pem { path: PathBuf, detail: String },
    #[error("{path} holds no certificate")]
    NoCertificate { path: PathBuf },
    #[error("{path} holds no private key")]
    NoKey { path: PathBuf },
    #[error("the certificate and key cannot be used: {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
}

/// Reads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or SEC1) into a server
/// configuration for `STARTTLS`.
pub fn load_tls(cert_pem: &Path, key_pem: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_bytes = read(cert_pem)?;
    let key_bytes = read(key_pem)?;
    let pem_error = |path: &Path, e: &dyn std::fmt::Display| TlsError::Pem { path: path.into(), detail: e.to_string() };

    let certs = CertificateDer::pem_slice_iter(&cert_bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(cert_pem, &e))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate { path: cert_pem.into() });
    }
    let key = match PrivateKeyDer::from_pem_slice(&key_bytes) {
        Ok(key) => key,
        Err(tokio_rustls::rustls::pki_types::pem::Error::NoItemsFound) => {
            return Err(TlsError::NoKey { path: key_pem.into() })
        }
        Err(e) => return Err(pem_error(key_pem, &e)),
    };
    server_config(certs, key)
}

/// Builds the configuration with the ring provider named explicitly: relying on the process default would panic
/// if another crate in the binary enabled a second provider.
pub fn server_config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    Ok(Arc::new(config))
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read { path: path.into(), source })
}
