//! The go-plugin handshake: how Terraform starts a provider process and finds its server.
//!
//! Terraform sets a magic cookie and the protocol versions it speaks in the environment, starts
//! the binary, and reads exactly one line from its stdout:
//! `CORE|APP|NETWORK|ADDR|grpc|SERVERCERT`. Anything printed to stdout before that line breaks
//! the handshake, so nothing else in the process may write to stdout.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// The variable Terraform sets so that a provider knows it was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value of [`MAGIC_COOKIE_KEY`]; Terraform's source says it "should NEVER be changed".
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's core protocol version, the first field of the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The plugin protocol major version this crate implements.
pub const PLUGIN_PROTOCOL_VERSION: u32 = 6;

/// Why the process cannot serve Terraform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// The binary was started by a person or another program, not by Terraform.
    #[error(
        "this binary is a plugin for Terraform and is not meant to be run directly\n\
         \n\
         Use it from a Terraform configuration:\n\
         \n  terraform {{\n    required_providers {{\n      {local_name} = {{ source = \"{source_address}\" }}\n    }}\n  }}\n\
         \n\
         To debug it, run it with --debug: it then serves without Terraform and prints the\n\
         TF_REATTACH_PROVIDERS value for Terraform to attach to it"
    )]
    NotStartedByTerraform {
        /// The provider's source address, shown in the example configuration.
        source_address: String,
        /// The provider's local name: the source address's last part.
        local_name: String,
    },
    /// Terraform does not speak protocol 6 (it is older than 0.15).
    #[error(
        "Terraform offered plugin protocol versions [{offered}] but this provider speaks only \
         version {PLUGIN_PROTOCOL_VERSION}: use Terraform 1.5 or later"
    )]
    UnsupportedProtocol {
        /// The value of `PLUGIN_PROTOCOL_VERSIONS` as received.
        offered: String,
    },
}

/// Checks the magic cookie Terraform passes in the environment.
pub fn check_magic_cookie(value: Option<&str>, source: &str) -> Result<(), HandshakeError> {
    match value {
        Some(MAGIC_COOKIE_VALUE) => Ok(()),
        _ => Err(HandshakeError::NotStartedByTerraform {
            source_address: source.to_owned(),
            local_name: source.rsplit('/').next().unwrap_or(source).to_owned(),
        }),
    }
}

/// Picks protocol 6 from `PLUGIN_PROTOCOL_VERSIONS` (Terraform sends `5,6`, in any order).
///
/// When the variable is absent, go-plugin clients older than versioned plugins are assumed, and
/// they also expect the server's own version; we answer 6 as go-plugin servers do.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, HandshakeError> {
    let Some(offered) = offered else {
        return Ok(PLUGIN_PROTOCOL_VERSION);
    };
    let speaks_ours = offered
        .split(',')
        .filter_map(|version| version.trim().parse::<u32>().ok())
        .any(|version| version == PLUGIN_PROTOCOL_VERSION);
    if speaks_ours {
        Ok(PLUGIN_PROTOCOL_VERSION)
    } else {
        Err(HandshakeError::UnsupportedProtocol {
            offered: offered.to_owned(),
        })
    }
}

/// Where the gRPC server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddress {
    /// A unix socket path (go-plugin's default on unix).
    Unix(std::path::PathBuf),
    /// A TCP address on loopback.
    Tcp(std::net::SocketAddr),
}

impl ListenAddress {
    /// The network name go-plugin and `TF_REATTACH_PROVIDERS` use.
    pub fn network(&self) -> &'static str {
        match self {
            ListenAddress::Unix(_) => "unix",
            ListenAddress::Tcp(_) => "tcp",
        }
    }

    /// The address as go-plugin prints it.
    pub fn address(&self) -> String {
        match self {
            ListenAddress::Unix(path) => path.display().to_string(),
            ListenAddress::Tcp(addr) => addr.to_string(),
        }
    }
}

/// The single line a plugin prints on stdout once its server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeLine<'a> {
    /// The negotiated plugin protocol version.
    pub protocol_version: u32,
    /// Where Terraform should connect.
    pub address: &'a ListenAddress,
    /// The DER of the server certificate when AutoMTLS is on.
    pub server_certificate_der: Option<&'a [u8]>,
}

impl fmt::Display for HandshakeLine<'_> {
    /// go-plugin encodes the certificate with the standard alphabet and no padding, and leaves
    /// the field empty when TLS is off.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let certificate = self
            .server_certificate_der
            .map(|der| STANDARD_NO_PAD.encode(der))
            .unwrap_or_default();
        write!(
            f,
            "{CORE_PROTOCOL_VERSION}|{}|{}|{}|grpc|{certificate}",
            self.protocol_version,
            self.address.network(),
            self.address.address(),
        )
    }
}

/// The `TF_REATTACH_PROVIDERS` value for a provider served in debug mode.
///
/// `Test: true` tells Terraform not to kill the process when it is done with it, so one debug
/// server outlives many Terraform commands.
pub fn reattach_json(source: &str, address: &ListenAddress, pid: u32) -> String {
    serde_json::json!({
        source: {
            "Protocol": "grpc",
            "ProtocolVersion": PLUGIN_PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": address.network(), "String": address.address() },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_line_without_tls_has_empty_certificate_field() {
        let address = ListenAddress::Unix("/tmp/plugin42".into());
        let line = HandshakeLine {
            protocol_version: 6,
            address: &address,
            server_certificate_der: None,
        };
        assert_eq!(line.to_string(), "1|6|unix|/tmp/plugin42|grpc|");
    }

    #[test]
    fn handshake_line_with_tls_has_unpadded_base64_der() {
        let address = ListenAddress::Tcp("127.0.0.1:10001".parse().unwrap());
        let der = [0x30, 0x82, 0x01];
        let line = HandshakeLine {
            protocol_version: 6,
            address: &address,
            server_certificate_der: Some(&der),
        };
        // Standard alphabet, no `=` padding: 3 bytes encode to exactly 4 characters.
        assert_eq!(line.to_string(), "1|6|tcp|127.0.0.1:10001|grpc|MIIB");
        let der = [0xff, 0xfe];
        let line = HandshakeLine {
            server_certificate_der: Some(&der),
            ..line
        };
        assert!(line.to_string().ends_with("|grpc|//4"), "{line}");
    }

    #[test]
    fn protocol_negotiation() {
        let cases: &[(Option<&str>, Result<u32, ()>)] = &[
            (Some("5,6"), Ok(6)),
            (Some("6,5"), Ok(6)),
            (Some(" 6 "), Ok(6)),
            (None, Ok(6)),
            (Some("5"), Err(())),
            (Some("7,8"), Err(())),
            (Some(""), Err(())),
        ];
        for (offered, expected) in cases {
            let got = negotiate_protocol(*offered).map_err(|_| ());
            assert_eq!(&got, expected, "offered {offered:?}");
        }
    }

    #[test]
    fn magic_cookie() {
        assert!(check_magic_cookie(Some(MAGIC_COOKIE_VALUE), "x/example").is_ok());
        let err = check_magic_cookie(None, "example/example").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("plugin for Terraform"), "{message}");
        assert!(
            message.contains("source = \"example/example\""),
            "{message}"
        );
        assert!(check_magic_cookie(Some("wrong"), "x/example").is_err());
    }

    #[test]
    fn reattach_json_shape() {
        let address = ListenAddress::Unix("/tmp/p.sock".into());
        let json: serde_json::Value = serde_json::from_str(&reattach_json(
            "registry.terraform.io/a/example",
            &address,
            7,
        ))
        .unwrap();
        let entry = &json["registry.terraform.io/a/example"];
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 7);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/p.sock");
    }
}
