//! `--tls`: a throwaway CA and a server certificate for `localhost`, `127.0.0.1` and `::1`.
//!
//! Clients that insist on https (azure_identity requires an https authority) trust the CA
//! certificate the emulator writes to a file; nothing else changes for them.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;
use std::sync::Arc;

/// Errors while preparing TLS.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Certificate generation failed.
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("cannot configure TLS: {0}")]
    Rustls(#[from] rustls::Error),
    /// The CA file could not be written.
    #[error("cannot write the CA certificate to {path}: {source}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Generates a CA and a server certificate signed by it, writes the CA certificate (PEM) to
/// `ca_file`, and returns an acceptor that serves the server certificate.
pub fn acceptor(
    ca_file: &Path,
    extra_names: &[String],
) -> Result<tokio_rustls::TlsAcceptor, TlsError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "jit-emulator local CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params.self_signed(&ca_key)?;

    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    names.extend(extra_names.iter().cloned());
    let mut server_params = CertificateParams::new(names)?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "jit-emulator");
    let server_key = KeyPair::generate()?;
    let issuer = Issuer::new(ca_params, ca_key);
    let server_cert = server_params.signed_by(&server_key, &issuer)?;

    crate::store::write_atomically(ca_file, ca_cert.pem().as_bytes()).map_err(|source| {
        TlsError::Write {
            path: ca_file.to_owned(),
            source,
        }
    })?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), ca_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
