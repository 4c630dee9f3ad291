//! Releases as users get them, with the real tools: `scripts/release.sh` (zips, SHA256SUMS, a
//! gpg signature, the registry manifest), `terraform init` and `terraform providers lock` from a
//! packed filesystem mirror filled by `scripts/install-provider.sh --from-release`, the jitlint
//! wheel built by maturin and installed into a fresh virtualenv, and the pre-commit hook
//! installed from a checkout of this repository.
//!
//! The tests are in one file so that they share their builds: one release build of the
//! provider (signed with a throwaway gpg key generated here) and one virtualenv with maturin and
//! pre-commit (from PyPI) per run. The wheel is built with Cargo's `dev` profile, which reuses
//! the debug build `cargo test` has just made; releases use the release profile (the default of
//! pyproject.toml). Artifacts of the last run stay in `target/tmp/release-test/` for inspection.
//!
//! Needs terraform, gpg, python3 (with venv, and pip reaching PyPI), git, zip, unzip and
//! sha256sum; a missing one fails the test naming it. `JIT_E2E_SKIP=1` skips them knowingly.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use jit_e2e::{terraform_binary, workspace_root};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const NAME: &str = "terraform-provider-jit";
const ADDRESS: &str = "registry.terraform.io/jit-as-code/jit";
const MANIFEST: &str = r#"{"version":1,"metadata":{"protocol_versions":["6.0"]}}"#;

const CONFIGURATION: &str = r#"terraform {
  required_providers {
    jit = { source = "jit-as-code/jit" }
  }
}

resource "jit_policy" "web" {
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {
    id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
    port {
      number                        = 22
      allowed_source_address_prefix = "203.0.113.0/24"
    }
  }
}
"#;

/// A JIT port open to the whole internet: JIT001 `broad-source-prefix`, an error.
const FINDING: &str = r#"resource "jit_policy" "open" {
  resource_group_name = "rg-prod"
  location            = "westeurope"
  virtual_machine {
    id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-01"
    port {
      number                        = 22
      allowed_source_address_prefix = "*"
    }
  }
}
"#;

/// `scripts/release.sh` writes the registry layout for this machine's platform, with the
/// workspace version everywhere, and refuses a version that is not the workspace's.
#[test]
fn release_script_writes_the_registry_layout() {
    let Some(release) = release() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&release.out)
        .expect("read the release directory")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            format!("{NAME}_{VERSION}_SHA256SUMS"),
            format!("{NAME}_{VERSION}_SHA256SUMS.sig"),
            format!("{NAME}_{VERSION}_linux_amd64.zip"),
            format!("{NAME}_{VERSION}_manifest.json"),
            "terraform-registry-manifest.json".to_owned(),
        ]
    );

    for manifest in [
        "terraform-registry-manifest.json".to_owned(),
        format!("{NAME}_{VERSION}_manifest.json"),
    ] {
        let text = std::fs::read_to_string(release.out.join(&manifest)).expect("read a manifest");
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("a manifest is JSON");
        let expected: serde_json::Value = serde_json::from_str(MANIFEST).expect("valid JSON");
        assert_eq!(parsed, expected, "{manifest}");
    }

    // SHA256SUMS lists the zip and the manifest copy, each with its real sha256.
    let sums = release.sums();
    let listed: Vec<&str> = sums.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(
        listed,
        [
            format!("{NAME}_{VERSION}_linux_amd64.zip"),
            format!("{NAME}_{VERSION}_manifest.json"),
        ]
    );
    for (sum, name) in &sums {
        assert_eq!(sum, &sha256_file(&release.out.join(name)), "{name}");
    }

    // The zip holds one file, named as the registry expects, which is the provider at VERSION.
    let zip = release.zip();
    let listing = run_ok(
        Command::new(tool("unzip")).arg("-Z1").arg(&zip),
        "list the zip",
    );
    assert_eq!(
        listing.lines().collect::<Vec<_>>(),
        [format!("{NAME}_v{VERSION}")]
    );
    let unpacked = tempfile::tempdir().expect("temporary directory");
    run_ok(
        Command::new(tool("unzip"))
            .arg("-q")
            .arg(&zip)
            .arg("-d")
            .arg(unpacked.path()),
        "unzip the release",
    );
    let reported = run_ok(
        Command::new(unpacked.path().join(format!("{NAME}_v{VERSION}"))).arg("--version"),
        "run the released binary with --version",
    );
    assert_eq!(reported.trim(), format!("{ADDRESS} {VERSION}"));

    // A version other than the workspace's is refused before anything is built.
    let wrong = run(Command::new("bash")
        .arg(workspace_root().join("scripts/release.sh"))
        .arg("999.0.0"));
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
    assert!(
        stderr(&wrong).contains(&format!(
            "VERSION 999.0.0 is not the workspace version {VERSION}"
        )),
        "{}",
        stderr(&wrong)
    );
}

/// The detached signature of SHA256SUMS verifies with the throwaway public key alone, and a
/// changed SHA256SUMS does not.
#[test]
fn release_signature_verifies_with_the_public_key() {
    let Some(release) = release() else { return };
    let gnupg = GnupgHome::new();
    run_ok(
        gnupg.command().arg("--import").arg(&release.public_key),
        "import the public key",
    );
    let sums = release.out.join(format!("{NAME}_{VERSION}_SHA256SUMS"));
    let signature = release.out.join(format!("{NAME}_{VERSION}_SHA256SUMS.sig"));
    let good = run(gnupg.command().arg("--verify").arg(&signature).arg(&sums));
    assert!(good.status.success(), "{}", stderr(&good));
    assert!(
        stderr(&good).contains("Good signature"),
        "{}",
        stderr(&good)
    );

    let tampered = gnupg.path().join("SHA256SUMS");
    let mut text = std::fs::read_to_string(&sums).expect("read SHA256SUMS");
    text.push_str(&format!(
        "{}  {NAME}_{VERSION}_freebsd_amd64.zip\n",
        "0".repeat(64)
    ));
    std::fs::write(&tampered, text).expect("write a changed SHA256SUMS");
    let bad = run(gnupg
        .command()
        .arg("--verify")
        .arg(&signature)
        .arg(&tampered));
    assert!(!bad.status.success(), "a changed SHA256SUMS verified");
    assert!(stderr(&bad).contains("BAD signature"), "{}", stderr(&bad));
}

/// `install-provider.sh --from-release` puts the zip in a packed filesystem mirror and pins its
/// zh: hash; `terraform init` in a fresh directory, with no network installation configured,
/// installs it, verifies it against that hash and records its h1: hash beside it. A zip that
/// is not the released one is then refused.
#[test]
fn terraform_init_installs_the_release_from_a_packed_mirror_offline() {
    let Some(terraform) = terraform_binary() else {
        return;
    };
    let Some(release) = release() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let mirror = dir.path().join("mirror");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("create the work directory");
    std::fs::write(work.join("main.tf"), CONFIGURATION).expect("write main.tf");
    let lock_file = work.join(".terraform.lock.hcl");

    let installed = run_ok(
        install_from_release(&release.out, &mirror)
            .arg("--public-key")
            .arg(&release.public_key)
            .arg("--lock-file")
            .arg(&lock_file),
        "install the release into the mirror",
    );
    let packed = mirror.join(format!("{ADDRESS}/{NAME}_{VERSION}_linux_amd64.zip"));
    assert!(packed.is_file(), "no {}:\n{installed}", packed.display());
    assert_eq!(sha256_file(&packed), sha256_file(&release.zip()));

    let config = offline_cli_config(dir.path(), &mirror);
    let init =
        run(terraform_in(&terraform, &work, &config).args(["init", "-input=false", "-no-color"]));
    assert!(
        init.status.success(),
        "terraform init failed:\n{}",
        both(&init)
    );
    assert!(
        stdout(&init).contains(&format!("Installed jit-as-code/jit v{VERSION}")),
        "{}",
        both(&init)
    );

    let (h1, zh) = lock_hashes(&lock_file);
    assert_eq!(
        zh,
        [release.zip_sum()],
        "zh: is the sha256 of the zip in SHA256SUMS"
    );
    assert_eq!(
        h1,
        [h1_of_zip(&release.zip())],
        "h1: is the hash of the zip's contents"
    );

    // The installed provider is the one Terraform runs.
    let validate = run(terraform_in(&terraform, &work, &config).args(["validate", "-no-color"]));
    assert!(
        validate.status.success(),
        "terraform validate failed:\n{}",
        both(&validate)
    );

    // Another zip under the released name is refused by the pinned hashes.
    let forged = dir.path().join("forged");
    std::fs::create_dir(&forged).expect("create a directory");
    let binary = forged.join(format!("{NAME}_v{VERSION}"));
    std::fs::write(&binary, "#!/bin/sh\nexit 1\n")
        .expect("write a program that is not the provider");
    run_ok(
        Command::new(tool("zip"))
            .current_dir(&forged)
            .args(["-q", "-X", "forged.zip"])
            .arg(binary.file_name().expect("a file name")),
        "zip a forged provider",
    );
    std::fs::copy(forged.join("forged.zip"), &packed).expect("replace the mirror's zip");
    let again = dir.path().join("again");
    std::fs::create_dir(&again).expect("create a directory");
    std::fs::write(again.join("main.tf"), CONFIGURATION).expect("write main.tf");
    std::fs::copy(&lock_file, again.join(".terraform.lock.hcl")).expect("copy the lock file");
    let refused =
        run(terraform_in(&terraform, &again, &config).args(["init", "-input=false", "-no-color"]));
    assert!(
        !refused.status.success(),
        "a forged zip was installed:\n{}",
        both(&refused)
    );
    assert!(
        both(&refused).contains("doesn't match any of the"),
        "{}",
        both(&refused)
    );
}

/// `terraform providers lock -fs-mirror` works against the packed mirror. From a mirror,
/// Terraform records only the h1: hash it computes; zh: hashes come from a signed registry, or
/// from `install-provider.sh --lock-file`, and `providers lock` keeps them.
#[test]
fn terraform_providers_lock_works_against_the_packed_mirror() {
    let Some(terraform) = terraform_binary() else {
        return;
    };
    let Some(release) = release() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let mirror = dir.path().join("mirror");
    run_ok(
        &mut install_from_release(&release.out, &mirror),
        "install the release into the mirror",
    );
    let config = offline_cli_config(dir.path(), &mirror);
    let lock = |work: &Path| {
        let output = run(terraform_in(&terraform, work, &config)
            .args(["providers", "lock", "-no-color", "-platform=linux_amd64"])
            .arg(format!("-fs-mirror={}", mirror.display())));
        assert!(
            output.status.success(),
            "terraform providers lock failed:\n{}",
            both(&output)
        );
        lock_hashes(&work.join(".terraform.lock.hcl"))
    };

    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).expect("create a directory");
    std::fs::write(plain.join("main.tf"), CONFIGURATION).expect("write main.tf");
    let (h1, zh) = lock(&plain);
    assert_eq!(h1, [h1_of_zip(&release.zip())]);
    assert!(zh.is_empty(), "a mirror gave zh: hashes: {zh:?}");

    let pinned = dir.path().join("pinned");
    std::fs::create_dir(&pinned).expect("create a directory");
    std::fs::write(pinned.join("main.tf"), CONFIGURATION).expect("write main.tf");
    run_ok(
        install_from_release(&release.out, &mirror)
            .arg("--lock-file")
            .arg(pinned.join(".terraform.lock.hcl")),
        "pin the release's hashes",
    );
    let (h1, zh) = lock(&pinned);
    assert_eq!(h1, [h1_of_zip(&release.zip())]);
    assert_eq!(zh, [release.zip_sum()]);
}

/// The wheel maturin builds installs into a fresh virtualenv without an index or a Rust
/// toolchain, and its `jitlint` reports the workspace version and lints.
#[test]
fn jitlint_wheel_installs_and_lints_in_a_fresh_virtualenv() {
    let Some(tools) = python_tools() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let wheels = dir.path().join("wheels");
    let staging = maturin_staging();
    run_ok(
        Command::new(tools.bin("maturin"))
            .current_dir(workspace_root())
            .env("CARGO_TARGET_DIR", target_dir())
            .args(["build", "--quiet", "--profile", "dev", "--out"])
            .arg(&wheels),
        "build the jitlint wheel with maturin",
    );
    drop(staging);
    let wheel = std::fs::read_dir(&wheels)
        .expect("read the wheel directory")
        .map(|entry| entry.expect("a directory entry").path())
        .find(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .expect("maturin wrote a wheel");
    let file_name = wheel
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    assert!(
        file_name.starts_with(&format!("jitlint-{VERSION}-py3-none-")),
        "the wheel's version is not the workspace's: {file_name}"
    );

    let venv = dir.path().join("venv");
    run_ok(
        Command::new(tool("python3"))
            .args(["-m", "venv"])
            .arg(&venv),
        "create a virtualenv",
    );
    run_ok(
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--no-index",
                "--disable-pip-version-check",
            ])
            .arg(&wheel),
        "install the wheel",
    );
    // Only the virtualenv and the system's directories: no cargo, no rustup.
    let path = format!("{}:/usr/bin:/bin", venv.join("bin").display());
    let jitlint = |args: &[&str], cwd: &Path| {
        run(Command::new(venv.join("bin/jitlint"))
            .args(args)
            .current_dir(cwd)
            .env("PATH", &path)
            .env("NO_COLOR", "1"))
    };
    let version = jitlint(&["--version"], dir.path());
    assert!(version.status.success(), "{}", both(&version));
    assert_eq!(stdout(&version).trim(), format!("jitlint {VERSION}"));

    let fixture = dir.path().join("fixture");
    std::fs::create_dir(&fixture).expect("create the fixture directory");
    std::fs::write(fixture.join("main.tf"), CONFIGURATION).expect("write main.tf");
    let clean = jitlint(&["."], &fixture);
    assert_eq!(clean.status.code(), Some(0), "{}", both(&clean));
    std::fs::write(fixture.join("open.tf"), FINDING).expect("write open.tf");
    let found = jitlint(&["--format", "compact", "."], &fixture);
    assert_eq!(found.status.code(), Some(1), "{}", both(&found));
    assert!(stdout(&found).contains("JIT001"), "{}", both(&found));
}

/// pre-commit installs the `jitlint` hook (`language: python`) from a checkout of this
/// repository at a commit, runs it on a fixture repository, and fails on a finding.
#[test]
fn pre_commit_hook_from_a_checkout_fails_on_a_finding() {
    let Some(tools) = python_tools() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let (checkout, rev) = checkout_of_the_working_tree(&dir.path().join("checkout"));
    // pip builds the hook with maturin in the shared target directory.
    let _staging = maturin_staging();

    let fixture = dir.path().join("fixture");
    std::fs::create_dir(&fixture).expect("create the fixture directory");
    git(&fixture, &["init", "--quiet"]);
    std::fs::write(
        fixture.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: jitlint\n",
            checkout.display()
        ),
    )
    .expect("write .pre-commit-config.yaml");
    std::fs::write(fixture.join("main.tf"), CONFIGURATION).expect("write main.tf");
    git(&fixture, &["add", "."]);
    let pre_commit = |fixture: &Path| {
        run(Command::new(tools.bin("pre-commit"))
            .args(["run", "jitlint", "--all-files", "--color", "never"])
            .current_dir(fixture)
            .env("PRE_COMMIT_HOME", dir.path().join("pre-commit-home"))
            // pip builds the hook's wheel with maturin; the dev profile and the shared target
            // directory reuse cargo test's build.
            .env("CARGO_TARGET_DIR", target_dir())
            .env("MATURIN_PEP517_ARGS", "--profile dev")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("NO_COLOR", "1"))
    };
    let clean = pre_commit(&fixture);
    assert_eq!(clean.status.code(), Some(0), "{}", both(&clean));
    assert!(stdout(&clean).contains("Passed"), "{}", both(&clean));

    std::fs::write(fixture.join("open.tf"), FINDING).expect("write open.tf");
    git(&fixture, &["add", "open.tf"]);
    let found = pre_commit(&fixture);
    assert_eq!(found.status.code(), Some(1), "{}", both(&found));
    assert!(stdout(&found).contains("Failed"), "{}", both(&found));
    assert!(stdout(&found).contains("JIT001"), "{}", both(&found));
    assert!(stdout(&found).contains("open.tf"), "{}", both(&found));
}

/// Held while maturin builds in the shared target directory: it stages the binary by moving
/// `target/<profile>/jitlint` away, so two builds at once (the wheel test and pre-commit's
/// install of the hook) would take each other's binary.
fn maturin_staging() -> std::sync::MutexGuard<'static, ()> {
    static STAGING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    STAGING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The release built once per run, signed with a throwaway key.
struct Release {
    out: PathBuf,
    public_key: PathBuf,
}

impl Release {
    fn zip(&self) -> PathBuf {
        self.out.join(format!("{NAME}_{VERSION}_linux_amd64.zip"))
    }

    /// SHA256SUMS as (sha256, file name) pairs, in file order.
    fn sums(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.out.join(format!("{NAME}_{VERSION}_SHA256SUMS")))
            .expect("read SHA256SUMS")
            .lines()
            .map(|line| {
                let (sum, name) = line.split_once("  ").expect("`<sha256>  <name>` lines");
                (sum.to_owned(), name.to_owned())
            })
            .collect()
    }

    /// The zip's `zh:` hash: its sha256, as SHA256SUMS lists it.
    fn zip_sum(&self) -> String {
        let zip = format!("{NAME}_{VERSION}_linux_amd64.zip");
        let sum = self
            .sums()
            .into_iter()
            .find(|(_, name)| *name == zip)
            .map(|(sum, _)| sum)
            .expect("SHA256SUMS lists the zip");
        format!("zh:{sum}")
    }
}

fn release() -> Option<&'static Release> {
    if skipped() {
        return None;
    }
    static RELEASE: OnceLock<Release> = OnceLock::new();
    Some(RELEASE.get_or_init(|| {
        let shared = shared_dir().join("release");
        let gnupg = GnupgHome::new();
        run_ok(
            gnupg.command().args([
                "--passphrase",
                "",
                "--quick-gen-key",
                "jit release test <release-test@example.invalid>",
                "ed25519",
                "sign",
                "1d",
            ]),
            "generate a throwaway gpg key",
        );
        let keys = run_ok(
            gnupg
                .command()
                .args(["--with-colons", "--list-secret-keys"]),
            "list the throwaway key",
        );
        let fingerprint = keys
            .lines()
            .find_map(|line| line.strip_prefix("fpr:"))
            .and_then(|rest| rest.trim_end_matches(':').rsplit(':').next())
            .expect("the throwaway key has a fingerprint")
            .to_owned();
        let public_key = shared.join("release-test.pub.asc");
        std::fs::create_dir_all(&shared).expect("create the shared directory");
        let exported = run_ok(
            gnupg.command().args(["--armor", "--export", &fingerprint]),
            "export the public key",
        );
        std::fs::write(&public_key, exported).expect("write the public key");
        let out = shared.join("dist");
        run_ok(
            Command::new("bash")
                .arg(workspace_root().join("scripts/release.sh"))
                .arg(VERSION)
                .arg("--out")
                .arg(&out)
                .env("CARGO_TARGET_DIR", target_dir())
                .env("GNUPGHOME", gnupg.path())
                .env("GPG_KEY_ID", &fingerprint),
            "scripts/release.sh (a release build of the provider)",
        );
        Release { out, public_key }
    }))
}

/// A virtualenv with maturin and pre-commit from PyPI, made once per run.
struct PythonTools {
    venv: PathBuf,
}

impl PythonTools {
    fn bin(&self, name: &str) -> PathBuf {
        self.venv.join("bin").join(name)
    }
}

fn python_tools() -> Option<&'static PythonTools> {
    if skipped() {
        return None;
    }
    static TOOLS: OnceLock<PythonTools> = OnceLock::new();
    Some(TOOLS.get_or_init(|| {
        let venv = shared_dir().join("python-tools");
        run_ok(
            Command::new(tool("python3"))
                .args(["-m", "venv"])
                .arg(&venv),
            "create a virtualenv (python3 -m venv; on Debian and Ubuntu it needs python3-venv)",
        );
        run_ok(
            Command::new(venv.join("bin/pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "maturin>=1.9,<2.0",
                "pre-commit>=3,<5",
            ]),
            "pip install maturin and pre-commit from PyPI (the machine must reach PyPI)",
        );
        PythonTools { venv }
    }))
}

/// A gpg home of its own, in a short temporary path (gpg-agent's socket lives there), whose
/// agent is stopped when it is dropped.
struct GnupgHome {
    dir: tempfile::TempDir,
}

impl GnupgHome {
    fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("jit-gpg")
            .tempdir_in("/tmp")
            .expect("temporary gpg home");
        GnupgHome { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self) -> Command {
        let mut command = Command::new(tool("gpg"));
        command.arg("--batch").arg("--homedir").arg(self.dir.path());
        command
    }
}

impl Drop for GnupgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.dir.path())
            .args(["--kill", "all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn skipped() -> bool {
    let skip = std::env::var_os("JIT_E2E_SKIP").is_some_and(|value| value == "1");
    if skip {
        eprintln!("JIT_E2E_SKIP=1: skipping a release test");
    }
    skip
}

/// `target/tmp/release-test`, emptied once per run.
fn shared_dir() -> PathBuf {
    static SHARED: OnceLock<PathBuf> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-test");
            if dir.exists() {
                std::fs::remove_dir_all(&dir).expect("empty the shared directory");
            }
            std::fs::create_dir_all(&dir).expect("create the shared directory");
            dir
        })
        .clone()
}

/// The Cargo target directory this test was built in, shared with the builds it starts.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target>/tmp")
        .to_owned()
}

/// A tool on PATH, or a failure naming it.
fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "{name} was not found on PATH: the release tests need terraform, gpg, python3 \
                 (with venv), git, zip, unzip and sha256sum (install it, or set JIT_E2E_SKIP=1 \
                 to skip these tests knowingly)"
            )
        })
}

fn install_from_release(release: &Path, mirror: &Path) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(workspace_root().join("scripts/install-provider.sh"))
        .arg("--from-release")
        .arg(release)
        .arg("--mirror")
        .arg(mirror);
    command
}

/// A CLI configuration with the mirror as the only installation method: nothing is fetched
/// from the network.
fn offline_cli_config(dir: &Path, mirror: &Path) -> PathBuf {
    let config = dir.join("offline.tfrc");
    std::fs::write(
        &config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/jit-as-code/*\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .expect("write the CLI configuration");
    config
}

fn terraform_in(terraform: &Path, work: &Path, config: &Path) -> Command {
    let mut command = Command::new(terraform);
    command
        .current_dir(work)
        .env("TF_CLI_CONFIG_FILE", config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("ARM_SUBSCRIPTION_ID", jit_e2e::SUBSCRIPTION_ID)
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .env_remove("TF_REATTACH_PROVIDERS")
        .env_remove("TF_LOG");
    command
}

/// The h1: and zh: hashes of the jit provider in a lock file, each sorted.
fn lock_hashes(lock_file: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(lock_file).expect("read .terraform.lock.hcl");
    let block = text
        .split(&format!("provider \"{ADDRESS}\""))
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .unwrap_or_else(|| panic!("no {ADDRESS} in the lock file:\n{text}"));
    assert!(
        block.contains(&format!("version = \"{VERSION}\"")),
        "{text}"
    );
    let hashes: Vec<String> = block
        .lines()
        .filter_map(|line| line.trim().strip_prefix('"'))
        .filter_map(|line| line.strip_suffix("\","))
        .map(str::to_owned)
        .collect();
    let mut h1: Vec<String> = hashes
        .iter()
        .filter(|h| h.starts_with("h1:"))
        .cloned()
        .collect();
    let mut zh: Vec<String> = hashes
        .iter()
        .filter(|h| h.starts_with("zh:"))
        .cloned()
        .collect();
    h1.sort();
    zh.sort();
    (h1, zh)
}

/// Terraform's `h1:` hash of a provider package (Go's `dirhash.Hash1`): the sha256 of the
/// lines `<sha256 of file>  <file name>\n` over the package's files in name order, in base64.
fn h1_of_zip(zip: &Path) -> String {
    let unpacked = tempfile::tempdir().expect("temporary directory");
    run_ok(
        Command::new(tool("unzip"))
            .arg("-q")
            .arg(zip)
            .arg("-d")
            .arg(unpacked.path()),
        "unzip the release",
    );
    let mut names: Vec<String> = std::fs::read_dir(unpacked.path())
        .expect("read the unpacked zip")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    let summary: String = names
        .iter()
        .map(|name| format!("{}  {name}\n", sha256_file(&unpacked.path().join(name))))
        .collect();
    format!(
        "h1:{}",
        base64(&hex_bytes(&sha256_bytes(summary.as_bytes())))
    )
}

fn sha256_file(path: &Path) -> String {
    let output = run_ok(Command::new(tool("sha256sum")).arg(path), "sha256sum");
    output
        .split_whitespace()
        .next()
        .expect("a sha256")
        .to_owned()
}

fn sha256_bytes(bytes: &[u8]) -> String {
    let mut child = Command::new(tool("sha256sum"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start sha256sum");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(bytes)
        .expect("write to sha256sum");
    let output = child.wait_with_output().expect("run sha256sum");
    assert!(output.status.success());
    stdout(&output)
        .split_whitespace()
        .next()
        .expect("a sha256")
        .to_owned()
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex digits"))
        .collect()
}

/// Standard base64 with padding, as Go's `base64.StdEncoding`.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0u32, |word, (index, byte)| {
            word | u32::from(*byte) << (16 - 8 * index)
        });
        for index in 0..4 {
            if index <= chunk.len() {
                encoded.push(char::from(
                    ALPHABET[(word >> (18 - 6 * index)) as usize & 63],
                ));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

/// A commit holding the working tree as it is (tracked and untracked files, not ignored ones),
/// as a user's clone of the repository would hold it.
fn checkout_of_the_working_tree(checkout: &Path) -> (PathBuf, String) {
    let root = workspace_root();
    let files = run_ok(
        Command::new(tool("git")).current_dir(&root).args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ]),
        "list the repository's files (the test needs a git checkout)",
    );
    for file in files.split('\0').filter(|file| !file.is_empty()) {
        let source = root.join(file);
        if !source.is_file() {
            continue; // Deleted in the working tree.
        }
        let destination = checkout.join(file);
        std::fs::create_dir_all(destination.parent().expect("a parent directory"))
            .expect("create a directory in the checkout");
        std::fs::copy(&source, &destination).expect("copy a file into the checkout");
    }
    git(checkout, &["init", "--quiet"]);
    git(checkout, &["add", "--all"]);
    git(
        checkout,
        &[
            "-c",
            "user.name=release test",
            "-c",
            "user.email=release-test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "the working tree",
        ],
    );
    let rev = git(checkout, &["rev-parse", "HEAD"]).trim().to_owned();
    (checkout.to_owned(), rev)
}

fn git(dir: &Path, args: &[&str]) -> String {
    run_ok(
        Command::new(tool("git")).current_dir(dir).args(args),
        &format!("git {}", args.join(" ")),
    )
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|err| panic!("could not start {:?}: {err}", command.get_program()))
}

/// Runs `command` and returns its stdout, failing the test with `what` and both streams
/// unless it exits 0.
fn run_ok(command: &mut Command, what: &str) -> String {
    let output = run(command);
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}",
        output.status,
        both(&output)
    );
    stdout(&output)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn both(output: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(output), stderr(output))
}
