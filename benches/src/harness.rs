//! The parent side: runs every (workload, peer) pair in fresh processes and prints the tables.
//!
//! # Runs
//! Runs are interleaved (every peer once, then every peer again) so that a slow phase of a
//! shared machine spreads over all peers instead of landing on one. A child that fails,
//! crashes or times out, or a peer that was not built, becomes a row with the reason.
//!
//! # What is measured
//! - Time: the child's own clock around the workload (process start-up and, for HotSpot, JVM
//!   start-up are left out; JIT warm-up is in).
//! - Memory: the child's peak resident set size, from `wait4`'s `ru_maxrss`, exact because
//!   each run is its own process.
//! - Output: every run of every peer must print the same check lines as tenured-gc's first run.
//! - Pauses: tenured-gc's from its `heap.stats()`, HotSpot's from `-Xlog:gc` and Go's from
//!   `GODEBUG=gctrace=1`, both on standard error (see [`pauses`]), shown for the median run.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::pauses::{self, PauseLog, Pauses};
use crate::{HotSpot, Workload, WORKLOADS};

/// The line a child prints last: the workload's time in nanoseconds.
pub const ELAPSED: &str = "elapsed_ns: ";
/// The prefix of tenured-gc's pause lines: kind, count, then total, p50, p90, p99 and max in ns.
pub const PAUSES: &str = "pauses: ";
/// HotSpot's flag that logs every pause, on standard error so that standard output keeps only
/// the check lines.
const XLOG_GC: &str = "-Xlog:gc:stderr";

/// A run that takes longer than this is killed.
const TIMEOUT: Duration = Duration::from_secs(300);

/// What to run, from the command line.
pub struct Options {
    quick: bool,
    runs: usize,
    only: Option<Vec<String>>,
    /// Peers left out of every table (tenured-gc, the reference, cannot be).
    skip: Vec<String>,
    java: Option<PathBuf>,
    /// The `gc-bench-go` binary built from `benches/go/`.
    go: Option<PathBuf>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut opts = Options {
            quick: false,
            runs: 0,
            only: None,
            skip: Vec::new(),
            java: None,
            go: None,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "--quick" => opts.quick = true,
                "--runs" => opts.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
                "--only" => opts.only = Some(value()?.split(',').map(String::from).collect()),
                "--skip" => opts.skip = value()?.split(',').map(String::from).collect(),
                "--java" => opts.java = Some(PathBuf::from(value()?)),
                "--go" => opts.go = Some(PathBuf::from(value()?)),
                _ => return Err(format!("unknown argument `{arg}`\n{}", crate::USAGE)),
            }
        }
        for name in opts.only.iter().flatten() {
            if !WORKLOADS.iter().any(|w| w.name == name) {
                return Err(format!("--only: no workload `{name}`"));
            }
        }
        if opts.skip.iter().any(|peer| peer == "tenured-gc") {
            return Err("--skip: tenured-gc is the reference of every ratio".to_string());
        }
        if opts.runs == 0 {
            opts.runs = if opts.quick { 3 } else { 5 };
        }
        Ok(opts)
    }
}

/// One finished run.
struct Sample {
    elapsed: Duration,
    peak_rss_bytes: u64,
    checks: Vec<String>,
    /// `None` for a peer that reports no pauses, an error for a log that could not be read.
    pauses: Option<Result<Pauses, String>>,
}

/// A table row: a peer and its runs, or why it has none.
struct Row {
    peer: String,
    command: Option<Command>,
    pause_log: PauseLog,
    samples: Result<Vec<Sample>, String>,
}

impl Row {
    /// A row that runs `command`, or that shows why there is none.
    fn new(peer: &str, command: Result<Command, String>, pause_log: PauseLog) -> Row {
        let (command, samples) = match command {
            Ok(command) => (Some(command), Ok(Vec::new())),
            Err(why) => (None, Err(why)),
        };
        Row {
            peer: peer.to_string(),
            command,
            pause_log,
            samples,
        }
    }
}

pub fn run_all(opts: Options) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
    let mut mismatches = Vec::new();
    let mut pauses = String::new();
    println!(
        "Mode: {}, {} runs per peer, one process per run.\n",
        if opts.quick { "quick" } else { "full" },
        opts.runs
    );
    for workload in WORKLOADS {
        if let Some(only) = &opts.only {
            if !only.iter().any(|name| name == workload.name) {
                continue;
            }
        }
        let size = if opts.quick {
            workload.quick_size
        } else {
            workload.full_size
        };
        let mut rows = rows(workload, size, &exe, &opts);
        // A peer is named by its first word: `HotSpot` for `HotSpot SerialGC`.
        rows.retain(|row| {
            let name = row.peer.split(' ').next().unwrap_or_default();
            !opts.skip.iter().any(|peer| peer == name)
        });
        for run in 1..=opts.runs {
            for row in &mut rows {
                let (Some(command), Ok(samples)) = (&mut row.command, &mut row.samples) else {
                    continue;
                };
                let result = run_child(command, row.pause_log);
                match &result {
                    Ok(s) => eprintln!(
                        "{} {size} {:<18} run {run}/{}: {}",
                        workload.name,
                        row.peer,
                        opts.runs,
                        seconds(s.elapsed)
                    ),
                    Err(e) => eprintln!("{} {size} {} failed: {e}", workload.name, row.peer),
                }
                match result {
                    Ok(sample) => samples.push(sample),
                    Err(e) => row.samples = Err(e),
                }
            }
        }
        mismatches.extend(check_outputs(workload.name, &mut rows));
        print!("{}", table(workload, size, opts.runs, &rows));
        print!("{}", pause_table(workload, size, &rows));
        if let Some(Ok(samples)) = rows.first().map(|r| &r.samples) {
            pauses += &pause_rows(workload.name, size, samples);
        }
    }
    if !pauses.is_empty() {
        println!("### tenured-gc pauses (from `heap.stats()` of its median run)\n");
        println!("| workload | kind | count | total | median | p90 | p99 | max |");
        println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        println!("{pauses}");
    }
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "OUTPUTS DIFFER, the results above are not comparable:\n{}",
            mismatches.join("\n")
        ))
    }
}

/// The rows of a workload: its peers in order, then its HotSpot rows (see [`HotSpot`]), then
/// Go.
fn rows(workload: &Workload, size: u32, exe: &Path, opts: &Options) -> Vec<Row> {
    let mut rows: Vec<Row> = workload
        .peers
        .iter()
        .map(|&(peer, body)| {
            let command = match body {
                Some(_) => {
                    let mut c = Command::new(exe);
                    c.args(["run", workload.name, peer, &size.to_string()]);
                    Ok(c)
                }
                None => Err(build_error(peer)),
            };
            Row::new(peer, command, PauseLog::Stats)
        })
        .collect();
    if let Some(class) = workload.java_class {
        let command = |flags: &[String]| match opts.java.as_deref() {
            Some(dir) if dir.join(format!("{class}.class")).exists() => {
                let mut c = Command::new("java");
                c.args(flags).arg("-cp").arg(dir);
                c.args([class, &size.to_string()]);
                Ok(c)
            }
            Some(dir) => Err(format!("{class}.class not found in {}", dir.display())),
            None => Err("java not found".to_string()),
        };
        for &hotspot in workload.hotspot {
            let mut flags = match hotspot {
                HotSpot::Serial => vec!["-XX:+UseSerialGC".to_string()],
                HotSpot::SerialNurseryBudget => {
                    let young_mib = tenured_gc::HeapConfig::default().max_nursery_size >> 20;
                    vec!["-XX:+UseSerialGC".to_string(), format!("-Xmn{young_mib}m")]
                }
                HotSpot::Parallel => vec!["-XX:+UseParallelGC".to_string()],
            };
            let name = flags.join(" ").replace("-XX:+Use", "");
            flags.push(XLOG_GC.to_string());
            rows.push(Row::new(
                &format!("HotSpot {name}"),
                command(&flags),
                PauseLog::HotSpot,
            ));
        }
    }
    if workload.go {
        let command = match opts.go.as_deref() {
            Some(binary) if binary.exists() => {
                let mut c = Command::new(binary);
                c.args([workload.name, &size.to_string()]);
                c.env("GODEBUG", "gctrace=1");
                Ok(c)
            }
            Some(binary) => Err(format!("{} not found", binary.display())),
            None => Err("go not found".to_string()),
        };
        rows.push(Row::new("Go", command, PauseLog::Go));
    }
    rows
}

/// Why a peer is missing: the first error `run.sh` saved from building it alone.
fn build_error(peer: &str) -> String {
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/build-errors")
        .join(format!("{peer}.txt"));
    let first_error = fs::read_to_string(log).ok().and_then(|log| {
        log.lines()
            .find(|l| l.starts_with("error"))
            .map(str::to_string)
    });
    format!(
        "build failed: {}",
        first_error.unwrap_or_else(|| format!("built without feature `{peer}`"))
    )
}

/// Runs one child to completion and reads what it printed, its pauses (from where `pause_log`
/// says) and how much memory it used.
fn run_child(command: &mut Command, pause_log: PauseLog) -> Result<Sample, String> {
    let dir = std::env::temp_dir();
    let out_path = dir.join(format!("gc-bench-{}.out", std::process::id()));
    let err_path = dir.join(format!("gc-bench-{}.err", std::process::id()));
    let file = |p: &Path| fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let child = command
        .stdin(Stdio::null())
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let waited = wait_with_usage(child.id() as libc::pid_t);
    let stdout = fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = fs::read_to_string(&err_path).unwrap_or_default();
    let _ = (fs::remove_file(out_path), fs::remove_file(err_path));
    let (status, usage) = waited?;
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let how = if libc::WIFSIGNALED(status) {
            match libc::WTERMSIG(status) {
                libc::SIGKILL => "killed (timed out or out of memory)".to_string(),
                signal => format!("crashed with signal {signal}"),
            }
        } else {
            format!("exited with status {}", libc::WEXITSTATUS(status))
        };
        let last = stderr
            .lines()
            .rfind(|l| !l.trim().is_empty() && !pauses::is_log_line(l))
            .unwrap_or("");
        return Err(format!("{how}: {}", last.trim()));
    }
    let mut sample = Sample {
        elapsed: Duration::ZERO,
        // Linux reports `ru_maxrss` in KiB.
        peak_rss_bytes: usage.ru_maxrss as u64 * 1024,
        checks: Vec::new(),
        pauses: None,
    };
    let mut stats = Vec::new();
    for line in stdout.lines() {
        if let Some(nanos) = line.strip_prefix(ELAPSED) {
            let nanos = nanos.trim().parse().map_err(|e| format!("`{line}`: {e}"))?;
            sample.elapsed = Duration::from_nanos(nanos);
        } else if let Some(pauses) = line.strip_prefix(PAUSES) {
            stats.push(pauses.to_string());
        } else {
            sample.checks.push(line.to_string());
        }
    }
    if sample.elapsed.is_zero() {
        return Err("printed no time".to_string());
    }
    sample.pauses = pauses::read(pause_log, &stats, &stderr);
    Ok(sample)
}

/// Waits for `pid` to exit, killing it after [`TIMEOUT`], and returns its wait status and
/// resource usage.
fn wait_with_usage(pid: libc::pid_t) -> Result<(libc::c_int, libc::rusage), String> {
    let start = Instant::now();
    let mut killed = false;
    loop {
        let mut status = 0;
        // SAFETY: `rusage` is plain data, valid when zeroed.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child, not yet reaped; both out-pointers are valid.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            return Ok((status, usage));
        }
        if reaped < 0 {
            return Err(format!("wait4: {}", std::io::Error::last_os_error()));
        }
        if !killed && start.elapsed() > TIMEOUT {
            // SAFETY: sending a signal to our own unreaped child has no memory effects.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Compares every run's check lines with the first successful row's (tenured-gc's when it
/// ran); a row that differs becomes an error row. Returns one message per such row.
fn check_outputs(workload: &str, rows: &mut [Row]) -> Vec<String> {
    let reference = rows.iter().find_map(|r| match &r.samples {
        Ok(s) if !s.is_empty() => Some((r.peer.clone(), s[0].checks.clone())),
        _ => None,
    });
    let Some((reference_peer, expected)) = reference else {
        return Vec::new();
    };
    let mut mismatches = Vec::new();
    for row in rows {
        let Ok(samples) = &row.samples else { continue };
        let differs = samples.iter().find_map(|s| {
            let line = (0..expected.len().max(s.checks.len()))
                .find(|&i| expected.get(i) != s.checks.get(i))?;
            Some(format!(
                "line {}: `{}`, {reference_peer} printed `{}`",
                line + 1,
                s.checks.get(line).map_or("<none>", String::as_str),
                expected.get(line).map_or("<none>", String::as_str)
            ))
        });
        if let Some(diff) = differs {
            mismatches.push(format!("{workload} / {}: {diff}", row.peer));
            row.samples = Err(format!("WRONG OUTPUT: {diff}"));
        }
    }
    mismatches
}

/// The markdown table of one workload.
fn table(workload: &Workload, size: u32, runs: usize, rows: &[Row]) -> String {
    let mut out = format!(
        "### {}, {} {size} ({runs} runs each)\n\n",
        workload.name, workload.size_unit
    );
    out += "| peer | median time | min – max | peak RSS | time / tenured-gc |\n";
    out += "| --- | ---: | ---: | ---: | ---: |\n";
    let baseline = rows
        .first()
        .and_then(|r| r.samples.as_ref().ok())
        .filter(|s| !s.is_empty())
        .map(|s| median(s).elapsed);
    for row in rows {
        match &row.samples {
            Ok(samples) if !samples.is_empty() => {
                let mut times: Vec<Duration> = samples.iter().map(|s| s.elapsed).collect();
                times.sort();
                let peak = samples.iter().map(|s| s.peak_rss_bytes).max().unwrap_or(0);
                let time = median(samples).elapsed;
                let ratio = baseline.map_or("–".to_string(), |b| {
                    format!("{:.2}", time.as_secs_f64() / b.as_secs_f64())
                });
                let _ = writeln!(
                    out,
                    "| {} | {} | {} – {} | {} | {ratio} |",
                    row.peer,
                    seconds(time),
                    seconds(times[0]),
                    seconds(times[times.len() - 1]),
                    mebibytes(peak),
                );
            }
            Ok(_) => {}
            Err(e) => {
                let e = e.replace('|', "\\|");
                let _ = writeln!(out, "| {} | {e} | | | |", row.peer);
            }
        }
    }
    if !workload.notes.is_empty() {
        let _ = write!(out, "\n{}\n", workload.notes);
    }
    out + "\n"
}

/// The sample with the median time (the lower middle one for an even count).
fn median(samples: &[Sample]) -> &Sample {
    let mut sorted: Vec<&Sample> = samples.iter().collect();
    sorted.sort_by_key(|s| s.elapsed);
    sorted[(sorted.len() - 1) / 2]
}

/// The pause table of a workload: a row for each peer whose median run reported pauses, or
/// nothing when none did.
fn pause_table(workload: &Workload, size: u32, rows: &[Row]) -> String {
    let reported: Vec<pauses::TableRow<'_>> = rows
        .iter()
        .filter_map(|row| match &row.samples {
            Ok(samples) if !samples.is_empty() => {
                let pauses = median(samples).pauses.as_ref()?;
                Some((row.peer.as_str(), row.pause_log, pauses))
            }
            _ => None,
        })
        .collect();
    if reported.is_empty() {
        return String::new();
    }
    let size = format!("{} {size}", workload.size_unit);
    pauses::table(workload.name, &size, &reported)
}

/// The rows of the summary of tenured-gc's pauses for its median run of a workload.
fn pause_rows(workload: &str, size: u32, samples: &[Sample]) -> String {
    if samples.is_empty() {
        return String::new();
    }
    let Some(Ok(p)) = &median(samples).pauses else {
        return String::new();
    };
    let mut out = String::new();
    for (kind, s) in [("minor", Some(&p.minor)), ("major", p.major.as_ref())] {
        let Some(s) = s else { continue };
        let times = [s.total, s.p50, s.p90, s.p99, s.max].map(pauses::pause);
        let _ = writeln!(
            out,
            "| {workload} {size} | {kind} | {} | {} |",
            s.count,
            times.join(" | ")
        );
    }
    out
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
