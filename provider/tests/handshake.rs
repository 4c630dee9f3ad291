//! The process contract with Terraform, checked on the real binary: the magic cookie, the
//! handshake line, and AutoMTLS accepting Terraform's client certificate and nothing else.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use base64::Engine;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROVIDER: &str = env!("CARGO_BIN_EXE_terraform-provider-jit");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

#[test]
fn without_the_magic_cookie_it_explains_and_exits_1() {
    let output = Command::new(PROVIDER)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run the provider");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing may be printed on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("plugin for Terraform"), "{stderr}");
    assert!(stderr.contains("--debug"), "{stderr}");
}

#[test]
fn without_protocol_6_it_refuses() {
    let output = Command::new(PROVIDER)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .expect("run the provider");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Terraform 1.5"));
}

/// A client certificate made the way go-plugin makes Terraform's: ECDSA P-521, self-signed,
/// CA:TRUE, for `localhost`.
fn terraform_like_client_certificate() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>)
{
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let certificate = params.self_signed(&key).expect("self-signed certificate");
    let private_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (certificate.pem(), certificate.der().clone(), private_key)
}

struct Served {
    child: Child,
    socket: String,
    server_certificate: CertificateDer<'static>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_with_tls(client_certificate_pem: &str) -> Served {
    let mut child = Command::new(PROVIDER)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", client_certificate_pem)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the provider");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the handshake line");
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "handshake line {line:?}");
    assert_eq!(&fields[..3], &["1", "6", "unix"], "{line:?}");
    assert_eq!(fields[4], "grpc");
    assert!(
        !fields[5].contains('='),
        "the certificate is unpadded base64: {line:?}"
    );
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(fields[5])
        .expect("base64 certificate");
    Served {
        child,
        socket: fields[3].to_owned(),
        server_certificate: CertificateDer::from(der),
    }
}

/// Connects over TLS and returns what the server sent after the HTTP/2 preface: the server's
/// SETTINGS frame when the connection was accepted, an error or nothing when refused.
async fn connect(
    served: &Served,
    client: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(served.server_certificate.clone())
        .map_err(|err| err.to_string())?;
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| err.to_string())?
        .with_root_certificates(roots);
    let mut config = match client {
        Some((certificate, key)) => builder
            .with_client_auth_cert(vec![certificate], key)
            .map_err(|err| err.to_string())?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let stream = tokio::net::UnixStream::connect(&served.socket)
        .await
        .map_err(|err| err.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from("localhost").map_err(|err| err.to_string())?;
    let mut tls = connector
        .connect(name, stream)
        .await
        .map_err(|err| err.to_string())?;
    let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .map_err(|err| err.to_string())?;
    tls.flush().await.map_err(|err| err.to_string())?;
    let mut buffer = vec![0u8; 64];
    let read = tls.read(&mut buffer).await.map_err(|err| err.to_string())?;
    buffer.truncate(read);
    Ok((buffer, alpn))
}

#[tokio::test]
async fn automtls_accepts_only_terraforms_certificate() {
    let (pem, certificate, key) = terraform_like_client_certificate();
    let served = serve_with_tls(&pem);

    // Terraform's own certificate: the server answers HTTP/2 with its SETTINGS frame (type 4).
    let (answer, alpn) = connect(&served, Some((certificate, key)))
        .await
        .expect("Terraform's certificate is accepted");
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]));
    assert!(
        answer.len() >= 9 && answer[3] == 4,
        "expected an HTTP/2 SETTINGS frame, got {answer:?}"
    );

    // No certificate at all: refused.
    let refused = connect(&served, None).await;
    assert!(
        refused.is_err() || matches!(&refused, Ok((bytes, _)) if bytes.is_empty()),
        "{refused:?}"
    );

    // Another process's certificate, even one made the same way: refused.
    let (_, other_certificate, other_key) = terraform_like_client_certificate();
    let refused = connect(&served, Some((other_certificate, other_key))).await;
    assert!(
        refused.is_err() || matches!(&refused, Ok((bytes, _)) if bytes.is_empty()),
        "{refused:?}"
    );
}
