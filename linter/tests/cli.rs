//! End-to-end: the real `jitlint` binary in a fresh temporary directory per test, as ripgrep's
//! tests do. Covers exit codes, stdin, `.tf.json`, configuration discovery, excludes and
//! suppressions across `count` instances.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const OPEN_POLICY: &str = r#"
resource "jit_policy" "web" {
  resource_group_name = "rg"
  location            = "westeurope"
  virtual_machine {
    id = azurerm_linux_virtual_machine.web.id
    port {
      number                        = 22
      allowed_source_address_prefix = "*"
    }
  }
}
"#;

const NARROW_POLICY: &str = r#"
resource "jit_policy" "web" {
  resource_group_name = "rg"
  location            = "westeurope"
  virtual_machine {
    id = azurerm_linux_virtual_machine.web.id
    port {
      number                          = 22
      allowed_source_address_prefixes = ["203.0.113.0/24"]
      max_request_access_duration     = "PT6H"
    }
  }
}
"#;

/// A fresh directory with files in it.
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn create(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(self.path(), args, None)
    }

    fn run_in(&self, cwd: &Path, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jitlint"))
            .args(args)
            .current_dir(cwd)
            .env_remove("NO_COLOR")
            .env("JITLINT_TODAY", "2026-01-01")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run jitlint");
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(stdin.unwrap_or("").as_bytes())
                .expect("write stdin");
        }
        child.wait_with_output().expect("wait")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn exit_0_when_clean() {
    let dir = Dir::new();
    dir.create("main.tf", "resource \"null_resource\" \"x\" {}\n");
    let output = dir.run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("No findings in 1 file(s)."));
}

#[test]
fn exit_1_on_errors_and_no_colour_when_piped() {
    let dir = Dir::new();
    dir.create("main.tf", OPEN_POLICY);
    let output = dir.run(&["."]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("JIT001 broad-source-prefix"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour on a pipe");
}

#[test]
fn warnings_pass_by_default_and_fail_with_fail_level() {
    let dir = Dir::new();
    dir.create("main.tf", NARROW_POLICY);
    assert_eq!(dir.run(&[]).status.code(), Some(0));
    assert_eq!(dir.run(&["--fail-level", "warning"]).status.code(), Some(1));
}

#[test]
fn exit_2_on_usage_and_io_errors() {
    let dir = Dir::new();
    assert_eq!(dir.run(&["--format", "yaml"]).status.code(), Some(2));
    assert_eq!(dir.run(&["does-not-exist"]).status.code(), Some(2));
    assert_eq!(dir.run(&["explain", "JIT999"]).status.code(), Some(2));
    dir.create(".jitlint.toml", "fail-level = \"sometimes\"\n");
    assert_eq!(dir.run(&[]).status.code(), Some(2));
}

#[test]
fn stdin_is_linted_with_its_file_name() {
    let dir = Dir::new();
    let output = dir.run_in(
        dir.path(),
        &["-", "--stdin-filename", "prod/main.tf", "-f", "compact"],
        Some(OPEN_POLICY),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).starts_with("prod/main.tf:9:39: error[JIT001]"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn tf_json_findings_point_at_the_value() {
    let dir = Dir::new();
    dir.create(
        "main.tf.json",
        r#"{
  "resource": {
    "jit_policy": {
      "web": {
        "resource_group_name": "rg",
        "location": "westeurope",
        "virtual_machine": {
          "id": "${azurerm_linux_virtual_machine.web.id}",
          "port": [{ "number": 3389, "allowed_source_address_prefix": "0.0.0.0/0" }]
        }
      }
    }
  }
}
"#,
    );
    let output = dir.run(&["-f", "compact"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "main.tf.json:9:71: error[JIT001] source `0.0.0.0/0` lets the whole internet request port 3389 [jit_policy.web]\n"
    );
}

#[test]
fn config_is_found_in_a_parent_directory() {
    let dir = Dir::new();
    dir.create(".jitlint.toml", "[rules]\nbroad-source-prefix = \"off\"\n");
    dir.create("envs/prod/main.tf", OPEN_POLICY);
    let cwd = dir.path().join("envs/prod");
    assert_eq!(dir.run_in(&cwd, &[], None).status.code(), Some(0));
    // --no-config ignores it, and --config picks another.
    assert_eq!(
        dir.run_in(&cwd, &["--no-config"], None).status.code(),
        Some(1)
    );
    dir.create("strict.toml", "fail-level = \"warning\"\n");
    let strict = dir.path().join("strict.toml");
    let strict = strict.to_str().expect("utf-8 path");
    assert_eq!(
        dir.run_in(&cwd, &["--config", strict], None).status.code(),
        Some(1)
    );
}

#[test]
fn config_sets_limits_trusted_prefixes_and_excludes() {
    let dir = Dir::new();
    dir.create(
        ".jitlint.toml",
        "exclude = [\"legacy\"]\ntrusted-source-prefixes = [\"10.0.0.0/8\"]\nfail-level = \"warning\"\n\n[limits]\nmax-request-access-duration = \"PT8H\"\n",
    );
    dir.create("legacy/main.tf", OPEN_POLICY);
    dir.create(
        "main.tf",
        &NARROW_POLICY.replace("[\"203.0.113.0/24\"]", "[\"10.1.0.0/16\"]"),
    );
    let output = dir.run(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn suppression_on_a_resource_covers_every_instance() {
    let dir = Dir::new();
    dir.create(
        "nsg.tf",
        r#"
# jitlint:ignore[JIT003] bastion subnet is being migrated, see OPS-12
resource "azurerm_network_security_rule" "ssh" {
  count                  = 3
  direction              = "Inbound"
  access                 = "Allow"
  protocol               = "Tcp"
  source_address_prefix  = "*"
  destination_port_range = "22"
}

resource "azurerm_network_security_rule" "rdp" {
  for_each               = { a = 1, b = 2 }
  direction              = "Inbound"
  access                 = "Allow"
  protocol               = "Tcp"
  source_address_prefix  = "*"
  destination_port_range = "3389"
}
"#,
    );
    let output = dir.run(&["-f", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let addresses: Vec<&str> = value["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["address"].as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "azurerm_network_security_rule.rdp[\"a\"]",
            "azurerm_network_security_rule.rdp[\"b\"]"
        ]
    );
}

#[test]
fn hidden_and_terraform_directories_are_skipped() {
    let dir = Dir::new();
    dir.create(".terraform/modules/x/main.tf", OPEN_POLICY);
    dir.create(".hidden/main.tf", OPEN_POLICY);
    dir.create("notes.txt", OPEN_POLICY);
    assert_eq!(dir.run(&[]).status.code(), Some(0));
}

#[test]
fn a_broken_file_does_not_stop_the_others() {
    let dir = Dir::new();
    dir.create("a_broken.tf", "resource \"x\" {\n");
    dir.create("b.tf", OPEN_POLICY);
    let output = dir.run(&["-f", "compact"]);
    let text = stdout(&output);
    assert!(text.contains("a_broken.tf:1:15: error[JIT900]"), "{text}");
    assert!(text.contains("b.tf:9:39: error[JIT001]"), "{text}");
}

#[test]
fn rules_and_explain() {
    let dir = Dir::new();
    let rules = stdout(&dir.run(&["rules"]));
    assert!(rules.contains("JIT003  management-port-exposed"));
    let page = stdout(&dir.run(&["explain", "broad-source-prefix"]));
    let file = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules/broad-source-prefix.md"),
    )
    .expect("rule page");
    assert_eq!(page, file);
}

#[test]
fn suppressions_of_disabled_rules_are_not_stale() {
    let dir = Dir::new();
    dir.create(
        "nsg.tf",
        r#"
# jitlint:ignore[JIT003] bastion subnet is being migrated, see OPS-12
resource "azurerm_network_security_rule" "ssh" {
  direction              = "Inbound"
  access                 = "Allow"
  protocol               = "Tcp"
  source_address_prefix  = "*"
  destination_port_range = "22"
}
"#,
    );
    let output = dir.run(&["--select", "JIT002,JIT901", "-f", "compact"]);
    assert_eq!(stdout(&output), "");
    assert_eq!(output.status.code(), Some(0));
}

/// Overlaps are resolved after the rules run (`overlap.rs`): with JIT003 off, the internet-wide
/// source that JIT003 would have reported is JIT001's, not nobody's.
#[test]
fn a_rule_turned_off_leaves_its_overlap_to_the_other() {
    let dir = Dir::new();
    dir.create(
        "nsg.tf",
        r#"
resource "azurerm_network_security_rule" "ssh" {
  direction              = "Inbound"
  access                 = "Allow"
  protocol               = "Tcp"
  source_address_prefix  = "*"
  destination_port_range = "22"
}
"#,
    );
    let both = stdout(&dir.run(&["--select", "JIT001,JIT003", "-f", "compact"]));
    assert!(both.contains("error[JIT003]"), "{both}");
    assert!(!both.contains("[JIT001]"), "{both}");
    let only = stdout(&dir.run(&["--select", "JIT001", "-f", "compact"]));
    assert!(only.contains("error[JIT001]"), "{only}");
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A directory that cannot be read is reported under its own path, the files beside it are still
/// linted, and stdout says the check is incomplete. Root reads a mode-000 directory anyway, so
/// there the test says why it is skipped (`an_unreadable_file_...` covers the same report).
#[cfg(unix)]
#[test]
fn an_unreadable_subdirectory_is_named_and_the_rest_is_linted() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = Dir::new();
    dir.create("a.tf", OPEN_POLICY);
    dir.create("locked/main.tf", OPEN_POLICY);
    let secret = dir.create("secret.tf", NARROW_POLICY);
    let locked = dir.path().join("locked");
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    mode(&locked, 0o000);
    mode(&secret, 0o000);
    let denied = std::fs::read_dir(&locked).is_err() && std::fs::read(&secret).is_err();
    let output = denied.then(|| dir.run(&["."]));
    mode(&locked, 0o755);
    mode(&secret, 0o644);
    let Some(output) = output else {
        eprintln!(
            "an_unreadable_subdirectory_is_named_and_the_rest_is_linted: skipped, this user \
             (root?) can read a mode-000 directory, so it cannot be made unreadable"
        );
        return;
    };
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{out}{err}");
    assert!(out.contains("source `*` lets the whole internet"), "{out}");
    assert!(out.contains("╭─[a.tf:9:39]"), "a.tf is still linted: {out}");
    assert!(
        out.contains("Incomplete: 2 paths could not be read (`locked`, `secret.tf`)"),
        "{out}"
    );
    assert!(err.contains("cannot read locked"), "{err}");
    assert!(err.contains("cannot read secret.tf"), "{err}");
    assert!(!err.contains("cannot read .\n"), "{err}");
}

/// An unreadable file (here a symbolic link to itself, which no user can read) is named on
/// stderr, the exit code is 2, and no output format claims a clean run.
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_named_and_no_format_claims_success() {
    let dir = Dir::new();
    dir.create("main.tf", "resource \"null_resource\" \"x\" {}\n");
    std::os::unix::fs::symlink("loop.tf", dir.path().join("loop.tf")).expect("symlink");
    let output = dir.run(&[]);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{out}{err}");
    assert!(!out.contains("No findings"), "{out}");
    assert_eq!(
        out,
        "Incomplete: 1 path could not be read (`loop.tf`); no findings in the 1 file(s) read.\n"
    );
    assert!(err.contains("cannot read loop.tf"), "{err}");

    let json: serde_json::Value =
        serde_json::from_slice(&dir.run(&["-f", "json"]).stdout).expect("json");
    assert_eq!(json["summary"]["complete"], false);
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["unreadable"][0]["path"], "loop.tf");

    let sarif: serde_json::Value =
        serde_json::from_slice(&dir.run(&["-f", "sarif"]).stdout).expect("sarif");
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "loop.tf"
    );

    let junit = stdout(&dir.run(&["-f", "junit"]));
    assert!(!junit.contains("no findings"), "{junit}");
    assert!(
        junit.contains("<error message=\"cannot read loop.tf"),
        "{junit}"
    );
    let checkstyle = stdout(&dir.run(&["-f", "checkstyle"]));
    assert!(
        checkstyle.contains("<file name=\"loop.tf\">"),
        "{checkstyle}"
    );
}

/// A FIFO named like a Terraform file is reported, not opened: reading it would never end.
#[cfg(unix)]
#[test]
fn a_fifo_named_like_terraform_is_reported_not_read() {
    let dir = Dir::new();
    dir.create("main.tf", OPEN_POLICY);
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe.tf"))
        .status()
        .is_ok_and(|status| status.success());
    if !made {
        eprintln!("a_fifo_named_like_terraform_is_reported_not_read: skipped, no mkfifo");
        return;
    }
    let output = dir.run(&["-f", "compact"]);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{out}{err}");
    assert!(out.starts_with("main.tf:9:39: error[JIT001]"), "{out}");
    assert!(
        err.contains("cannot read pipe.tf: it is not a regular file"),
        "{err}"
    );
}

/// Paths that do not exist are each named, and the paths that do are linted.
#[test]
fn a_missing_path_is_named_and_the_others_are_linted() {
    let dir = Dir::new();
    dir.create("main.tf", OPEN_POLICY);
    let output = dir.run(&["-f", "compact", "main.tf", "nope.tf", "gone"]);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(2), "{out}{err}");
    assert!(out.starts_with("main.tf:9:39: error[JIT001]"), "{out}");
    assert!(err.contains("cannot read nope.tf"), "{err}");
    assert!(err.contains("cannot read gone"), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
}

/// A binary file named like Terraform is reported with its path, and no byte of it reaches the
/// terminal; a text file with a control character in it is shown with the character replaced.
#[test]
fn a_binary_file_is_named_and_its_bytes_are_never_printed() {
    let dir = Dir::new();
    std::fs::write(
        dir.path().join("x.tf"),
        b"\x1b]0;pwned\x07\x1b[2J\xff\xfe\x00\x01binary",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("nul.tf"),
        b"resource \"jit_policy\" \"x\" {}\n\x00\x00",
    )
    .expect("write");
    dir.create(
        "y.tf",
        "resource \"jit_policy\" \"y\" {\n  name = \"\u{1b}[31mred\n}\n",
    );
    let output = dir.run(&[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "`x.tf` was not checked: it is not UTF-8 text: byte 0xFF cannot start or continue a \
             character"
        ),
        "{out}"
    );
    assert!(
        out.contains("`nul.tf` was not checked: it is not text: it holds a NUL byte"),
        "{out}"
    );
    assert!(
        out.contains("╭─[y.tf:2:"),
        "the text file keeps its snippet: {out}"
    );
    assert!(out.contains("?[31mred"), "{out}");
    let unprintable: Vec<char> = out
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n'))
        .collect();
    assert!(unprintable.is_empty(), "{unprintable:?} in {out}");
    assert!(!out.contains('\u{FFFD}'), "{out}");
    let compact = stdout(&dir.run(&["-f", "compact"]));
    assert!(
        compact.starts_with("nul.tf:2:1: error[JIT900] `nul.tf` was not checked"),
        "{compact}"
    );
    assert!(compact.contains("x.tf:1:15: error[JIT900]"), "{compact}");
}

/// `--output` that cannot be written names the path and the fix, prints no report, and exits 2.
#[test]
fn an_output_path_that_cannot_be_written_names_the_path_and_the_fix() {
    let dir = Dir::new();
    dir.create("main.tf", OPEN_POLICY);
    let output = dir.run(&["-f", "sarif", "-o", "missing/dir/report.sarif"]);
    // miette wraps help text: compare with the line breaks folded into spaces.
    let err = stderr(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(stdout(&output), "");
    assert!(
        err.contains("cannot write the report to missing/dir/report.sarif"),
        "{err}"
    );
    assert!(err.contains("No such file or directory"), "{err}");
    assert!(err.contains("mkdir -p missing/dir"), "{err}");
    assert!(!dir.path().join("missing").exists());

    std::fs::create_dir(dir.path().join("reports")).expect("mkdir");
    let output = dir.run(&["-o", "reports"]);
    let err = stderr(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write the report to reports"), "{err}");
    assert!(err.contains("`reports` is a directory"), "{err}");
}
