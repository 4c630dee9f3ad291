//! AutoMTLS as go-plugin servers do it: true mutual TLS between Terraform and the provider.
//!
//! Terraform generates a fresh client certificate for every provider process and passes it in
//! `PLUGIN_CLIENT_CERT`. The provider generates a fresh server certificate (valid for
//! `localhost`), announces its DER in the handshake line, and accepts **only** the exact client
//! certificate Terraform passed. No other local process can then drive the provider, and with
//! it the credentials it holds.
//!
//! Why a custom verifier: Terraform's client certificate is an ECDSA P-521, self-signed,
//! `CA:TRUE` certificate. webpki refuses a CA certificate used as an end entity, and the `ring`
//! provider cannot verify P-521 signatures at all (the Go client then silently sends no
//! certificate). So we pin the certificate by its DER and verify the handshake signature with
//! the aws-lc-rs provider. Providers are always passed explicitly, so the process-wide default
//! provider never matters.

use std::sync::Arc;

use rustls::DistinguishedName;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// `PLUGIN_CLIENT_CERT` did not hold a PEM certificate.
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    ClientCertificate(String),
    /// The server certificate could not be generated.
    #[error("could not generate the server certificate: {0}")]
    ServerCertificate(#[from] rcgen::Error),
    /// rustls rejected the configuration.
    #[error("could not configure TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// A server TLS configuration and the certificate to announce in the handshake.
pub struct AutoMtls {
    /// The rustls configuration: pinned client certificate, ALPN `h2`.
    pub config: Arc<rustls::ServerConfig>,
    /// DER of the freshly generated server certificate.
    pub server_certificate_der: Vec<u8>,
}

impl AutoMtls {
    /// Builds the server side of AutoMTLS for the client certificate Terraform passed (PEM).
    pub fn new(client_certificate_pem: &str) -> Result<Self, TlsSetupError> {
        let client_certificate = CertificateDer::from_pem_slice(client_certificate_pem.as_bytes())
            .map_err(|err| TlsSetupError::ClientCertificate(err.to_string()))?;
        // Two providers on purpose: ring makes the server's key and runs the handshake (it needs
        // no start-up work, while aws-lc-rs spends ~30 ms seeding its random generator in every
        // process); aws-lc-rs only verifies the client's P-521 signature, which ring cannot do.
        let handshake_provider = Arc::new(rustls::crypto::ring::default_provider());
        let verification_provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());

        let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let certificate = params.self_signed(&key_pair)?;
        let server_certificate_der = certificate.der().to_vec();
        let private_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));

        let verifier = Arc::new(PinnedClientCertificate {
            certificate: client_certificate.into_owned(),
            provider: verification_provider,
        });
        let mut config = rustls::ServerConfig::builder_with_provider(handshake_provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![certificate.der().clone()], private_key)?;
        // gRPC runs over HTTP/2; newer grpc-go clients refuse peers that negotiate no ALPN.
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(AutoMtls {
            config: Arc::new(config),
            server_certificate_der,
        })
    }
}

/// Accepts exactly one client certificate, compared byte for byte.
#[derive(Debug)]
struct PinnedClientCertificate {
    certificate: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for PinnedClientCertificate {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.certificate.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
