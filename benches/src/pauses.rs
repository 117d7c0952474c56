//! Pause distributions: tenured-gc's from `heap.stats()`, HotSpot's from `-Xlog:gc`, Go's from
//! `GODEBUG=gctrace=1`, read into one [`Pauses`] per run and set side by side in a table.
//!
//! # Sources
//! - tenured-gc prints its statistics on `pauses:` lines of standard output
//!   ([`crate::print_pauses`]): its minor and major collections, with percentiles that are the
//!   tops of its histogram's buckets (up to an eighth above the true value).
//! - HotSpot runs with `-Xlog:gc:stderr`, one line per pause on standard error, so that
//!   standard output keeps only the check lines. `Pause Young` is a minor pause, every other
//!   pause (`Pause Full` with the Serial and Parallel collectors) a major one. The times are
//!   given to the microsecond.
//! - Go runs with `GODEBUG=gctrace=1`, one line per collection cycle on standard error. A
//!   cycle is concurrent but for two stop-the-world phases, sweep termination and mark
//!   termination (the first and third of its clock figures); each is counted as a pause, of
//!   the minor kind, since Go's collector has no generations and never stops the world for a
//!   whole cycle. The figures have two or three significant digits.
//!
//! HotSpot's and Go's percentiles are exact over the logged pauses (nearest rank: the median
//! of an even count is the lower middle one).

use std::fmt::Write as _;
use std::time::Duration;

/// Where a peer reports its pauses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseLog {
    /// tenured-gc's `pauses:` lines on standard output, if the program prints them.
    Stats,
    /// HotSpot's `-Xlog:gc` on standard error.
    HotSpot,
    /// Go's `GODEBUG=gctrace=1` on standard error.
    Go,
}

/// The pauses of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Pauses {
    /// Minor collections, HotSpot's young pauses, Go's stop-the-world phases.
    pub minor: Summary,
    /// Major collections and HotSpot's full pauses; `None` for a collector without them (Go).
    pub major: Option<Summary>,
}

impl Pauses {
    /// The longest pause of either kind, `None` when there was none.
    pub fn worst(&self) -> Option<Duration> {
        let major = self.major.unwrap_or_default();
        (self.minor.count + major.count > 0).then(|| self.minor.max.max(major.max))
    }
}

/// The distribution of one kind of pause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub total: Duration,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    /// The distribution of exact pause times, with nearest-rank percentiles.
    fn of(mut pauses: Vec<Duration>) -> Summary {
        pauses.sort();
        let Some(&max) = pauses.last() else {
            return Summary::default();
        };
        let n = pauses.len();
        let percentile = |p: usize| pauses[(p * n).div_ceil(100) - 1];
        Summary {
            count: n as u64,
            total: pauses.iter().sum(),
            p50: percentile(50),
            p90: percentile(90),
            p99: percentile(99),
            max,
        }
    }
}

/// Reads the pauses of one run: `stats` are the `pauses:` lines of its standard output with
/// the prefix stripped, `stderr` its standard error. `None` when the peer reports none.
pub fn read(log: PauseLog, stats: &[String], stderr: &str) -> Option<Result<Pauses, String>> {
    match log {
        PauseLog::Stats if stats.is_empty() => None,
        PauseLog::Stats => Some(parse_stats(stats)),
        PauseLog::HotSpot => Some(parse_xlog_gc(stderr)),
        PauseLog::Go => Some(parse_gctrace(stderr)),
    }
}

/// Whether a line of standard error is collector logging rather than a program's message.
pub fn is_log_line(line: &str) -> bool {
    xlog_gc_line(line).is_some() || gctrace_line(line).is_some()
}

/// tenured-gc's lines, `KIND COUNT TOTAL P50 P90 P99 MAX` with the times in nanoseconds and
/// `KIND` either `minor` or `major`.
fn parse_stats(lines: &[String]) -> Result<Pauses, String> {
    let mut minor = None;
    let mut major = None;
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let number = |field: &str| -> Result<u64, String> {
            field
                .parse()
                .map_err(|e| format!("pause line `{line}`: {e}"))
        };
        let [kind, count, times @ ..] = fields.as_slice() else {
            return Err(format!("pause line `{line}`: too short"));
        };
        let times = times
            .iter()
            .map(|t| number(t).map(Duration::from_nanos))
            .collect::<Result<Vec<_>, _>>()?;
        let [total, p50, p90, p99, max] = times[..] else {
            return Err(format!("pause line `{line}`: expected five times"));
        };
        let summary = Summary {
            count: number(count)?,
            total,
            p50,
            p90,
            p99,
            max,
        };
        match *kind {
            "minor" => minor = Some(summary),
            "major" => major = Some(summary),
            _ => return Err(format!("pause line `{line}`: unknown kind `{kind}`")),
        }
    }
    Ok(Pauses {
        minor: minor.ok_or("no minor pause line")?,
        major: Some(major.ok_or("no major pause line")?),
    })
}

/// HotSpot's `-Xlog:gc` lines with the default decorations, such as
/// `[0.682s][info][gc] GC(0) Pause Young (Allocation Failure) 96M->76M(365M) 225.945ms`.
/// Other lines of the log (`Using Serial`) and of standard error are skipped.
pub fn parse_xlog_gc(log: &str) -> Result<Pauses, String> {
    let mut minor = Vec::new();
    let mut major = Vec::new();
    for line in log.lines() {
        let Some(event) = xlog_gc_line(line) else {
            continue;
        };
        let Some(pause) = event.strip_prefix("Pause ") else {
            continue;
        };
        let time = pause
            .rsplit(' ')
            .next()
            .and_then(|t| t.strip_suffix("ms"))
            .ok_or_else(|| format!("no time in `{line}`"))?;
        let time = milliseconds(time).map_err(|e| format!("`{line}`: {e}"))?;
        if pause.starts_with("Young ") {
            minor.push(time);
        } else {
            major.push(time);
        }
    }
    Ok(Pauses {
        minor: Summary::of(minor),
        major: Some(Summary::of(major)),
    })
}

/// The event of a `-Xlog:gc` line, what follows its `GC(N)` (`Pause Young ...`), or `Using
/// Serial` for the line that names the collector; `None` for any other line.
fn xlog_gc_line(line: &str) -> Option<&str> {
    let (_, event) = line.strip_prefix('[')?.split_once("][gc] ")?;
    match event.strip_prefix("GC(") {
        Some(numbered) => Some(numbered.split_once(") ")?.1),
        None => Some(event),
    }
}

/// Go's `GODEBUG=gctrace=1` lines, such as
/// `gc 4 @0.163s 20%: 0.012+178+0.23 ms clock, 0.025+10/86/95+0.46 ms cpu, 32->44->36 MB, ...`.
/// Other lines of standard error are skipped.
pub fn parse_gctrace(log: &str) -> Result<Pauses, String> {
    let mut stop_the_world = Vec::new();
    for line in log.lines() {
        let Some(clock) = gctrace_line(line) else {
            continue;
        };
        let figures: Vec<&str> = clock.split('+').collect();
        let [sweep_termination, _concurrent_mark, mark_termination] = figures[..] else {
            return Err(format!("`{line}`: expected three clock figures"));
        };
        for figure in [sweep_termination, mark_termination] {
            stop_the_world.push(milliseconds(figure).map_err(|e| format!("`{line}`: {e}"))?);
        }
    }
    Ok(Pauses {
        minor: Summary::of(stop_the_world),
        major: None,
    })
}

/// The wall-clock figures of a gctrace line (`0.012+178+0.23`), or `None` for another line.
fn gctrace_line(line: &str) -> Option<&str> {
    let (head, rest) = line.strip_prefix("gc ")?.split_once(": ")?;
    let (cycle, start) = head.split_once(' ')?;
    if cycle.parse::<u64>().is_err() || !start.starts_with('@') {
        return None;
    }
    Some(rest.split_once(" ms clock")?.0)
}

fn milliseconds(text: &str) -> Result<Duration, String> {
    let ms: f64 = text
        .parse()
        .map_err(|e| format!("`{text}` is not a time in ms: {e}"))?;
    Ok(Duration::from_nanos((ms * 1e6).round() as u64))
}

/// One row of a pause table: the peer, where its pauses came from, and its median run's.
pub type TableRow<'a> = (&'a str, PauseLog, &'a Result<Pauses, String>);

/// The pause table of one workload at one size (`stores 10000000`).
pub fn table(workload: &str, size: &str, rows: &[TableRow<'_>]) -> String {
    let mut out = format!("### {workload} pauses, {size} (each peer's median run)\n\n");
    out += "| peer | minor count | median | p99 | max | major count | median | max | worst |\n";
    out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (peer, _, pauses) in rows {
        let _ = match pauses {
            Ok(p) => {
                let m = &p.minor;
                let major = match &p.major {
                    Some(f) => format!("{} | {} | {}", f.count, figure(f, f.p50), figure(f, f.max)),
                    None => "– | – | –".to_string(),
                };
                writeln!(
                    out,
                    "| {peer} | {} | {} | {} | {} | {major} | {} |",
                    m.count,
                    figure(m, m.p50),
                    figure(m, m.p99),
                    figure(m, m.max),
                    p.worst().map_or("–".to_string(), pause),
                )
            }
            Err(e) => writeln!(out, "| {peer} | {} | | | | | | | |", e.replace('|', "\\|")),
        };
    }
    let has = |log| rows.iter().any(|&(_, l, _)| l == log);
    out += "\nThe pauses of each peer's run of median time. tenured-gc: its minor and major \
            collections, the percentiles the tops of its histogram buckets (up to an eighth above \
            the true value).";
    if has(PauseLog::HotSpot) {
        out += " HotSpot (`-Xlog:gc`): `Pause Young` as minor, `Pause Full` as major.";
    }
    if has(PauseLog::Go) {
        out += " Go (`GODEBUG=gctrace=1`): the two stop-the-world phases of each cycle (sweep \
                termination and mark termination) as minor; the rest of a cycle runs beside the \
                program.";
    }
    if has(PauseLog::HotSpot) || has(PauseLog::Go) {
        out += " Their percentiles are exact over the logged pauses (nearest rank).";
    }
    out + "\n\n"
}

/// A figure of a distribution, `–` when it has no pauses.
fn figure(s: &Summary, t: Duration) -> String {
    if s.count == 0 {
        "–".to_string()
    } else {
        pause(t)
    }
}

/// A pause in the unit that suits it.
pub fn pause(t: Duration) -> String {
    let nanos = t.as_nanos();
    match nanos {
        0..1_000 => format!("{nanos} ns"),
        1_000..1_000_000 => format!("{:.1} µs", nanos as f64 / 1e3),
        _ => format!("{:.2} ms", nanos as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: f64) -> Duration {
        Duration::from_nanos((ms * 1e6).round() as u64)
    }

    /// `java -XX:+UseSerialGC -Xmx100m -Xmn60m -Xlog:gc:stderr GrowingGraph 2000000`, which
    /// runs out of heap: the pause lines, the collector's name and an exception.
    const SERIAL: &str = "\
[0.003s][info][gc] Using Serial
[0.304s][info][gc] GC(0) Pause Young (Allocation Failure) 48M->37M(94M) 103.554ms
[0.474s][info][gc] GC(1) Pause Young (Allocation Failure) 81M->81M(94M) 0.032ms
[0.937s][info][gc] GC(2) Pause Full (Allocation Failure) 81M->76M(94M) 462.849ms
[1.496s][info][gc] GC(3) Pause Full (Allocation Failure) 93M->87M(94M) 483.563ms
Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space
\tat java.base/java.util.Arrays.copyOf(Arrays.java:3512)
";

    /// The same with `-XX:+UseParallelGC`.
    const PARALLEL: &str = "\
[0.003s][info][gc] Using Parallel
[0.379s][info][gc] GC(0) Pause Young (Allocation Failure) 42M->34M(92M) 195.156ms
[1.380s][info][gc] GC(1) Pause Full (Ergonomics) 79M->71M(92M) 871.582ms
[1.898s][info][gc] GC(2) Pause Full (Ergonomics) 77M->76M(92M) 493.294ms
[2.355s][info][gc] GC(3) Pause Full (Allocation Failure) 76M->76M(92M) 457.194ms
";

    /// `GODEBUG=gctrace=1 gc-bench-go growing-graph 2000000` (Go 1.19), standard error.
    const GCTRACE: &str = "\
gc 1 @0.005s 1%: 0.009+9.2+0.005 ms clock, 0.018+0.30/0.021/2.6+0.011 ms cpu, 3->6->4 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 2 @0.020s 9%: 0.007+22+0.052 ms clock, 0.014+3.6/3.7/7.3+0.10 ms cpu, 7->12->10 MB, 9 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 3 @0.057s 17%: 0.012+69+0.063 ms clock, 0.025+2.0/35/33+0.12 ms cpu, 17->24->19 MB, 20 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 4 @0.163s 20%: 0.012+178+0.23 ms clock, 0.025+10/86/95+0.46 ms cpu, 32->44->36 MB, 38 MB goal, 0 MB stacks, 0 MB globals, 2 P
gc 5 @0.447s 19%: 0.017+299+0.20 ms clock, 0.034+6.0/146/172+0.41 ms cpu, 62->83->67 MB, 73 MB goal, 0 MB stacks, 0 MB globals, 2 P
";

    #[test]
    fn serial_young_and_full_pauses() {
        let p = parse_xlog_gc(SERIAL).unwrap();
        assert_eq!(p.minor.count, 2);
        assert_eq!(p.minor.total, ms(103.586));
        assert_eq!(p.minor.p50, ms(0.032));
        assert_eq!(p.minor.p99, ms(103.554));
        assert_eq!(p.minor.max, ms(103.554));
        let full = p.major.unwrap();
        assert_eq!(full.count, 2);
        assert_eq!(full.p50, ms(462.849));
        assert_eq!(full.max, ms(483.563));
        assert_eq!(p.worst(), Some(ms(483.563)));
    }

    #[test]
    fn parallel_full_pauses_of_any_cause() {
        let p = parse_xlog_gc(PARALLEL).unwrap();
        assert_eq!(p.minor.count, 1);
        assert_eq!(p.minor.max, ms(195.156));
        let full = p.major.unwrap();
        assert_eq!(full.count, 3);
        assert_eq!(full.total, ms(871.582 + 493.294 + 457.194));
        assert_eq!(full.p50, ms(493.294));
        assert_eq!(full.max, ms(871.582));
    }

    #[test]
    fn xlog_without_collections() {
        let p = parse_xlog_gc("[0.003s][info][gc] Using Serial\n").unwrap();
        assert_eq!(p.minor, Summary::default());
        assert_eq!(p.major, Some(Summary::default()));
        assert_eq!(p.worst(), None);
    }

    #[test]
    fn xlog_pause_without_a_time_is_an_error() {
        let log = "[0.304s][info][gc] GC(0) Pause Young (Allocation Failure) 48M->37M(94M)\n";
        assert!(parse_xlog_gc(log).is_err());
    }

    #[test]
    fn gctrace_stop_the_world_phases() {
        let p = parse_gctrace(GCTRACE).unwrap();
        assert_eq!(p.major, None);
        assert_eq!(p.minor.count, 10);
        let phases = [
            0.009, 0.005, 0.007, 0.052, 0.012, 0.063, 0.012, 0.23, 0.017, 0.20,
        ];
        assert_eq!(p.minor.total, phases.iter().map(|&t| ms(t)).sum());
        // Sorted: 0.005 0.007 0.009 0.012 0.012 0.017 0.052 0.063 0.20 0.23.
        assert_eq!(p.minor.p50, ms(0.012));
        assert_eq!(p.minor.p90, ms(0.20));
        assert_eq!(p.minor.p99, ms(0.23));
        assert_eq!(p.worst(), Some(ms(0.23)));
    }

    #[test]
    fn gctrace_skips_other_lines() {
        let log = "gc 7 @1.5s 3%: 0.020+28+0.064 ms clock, 0.041+0.26/4.4/22+0.12 ms cpu, \
                   32->34->20 MB, 38 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)\n\
                   panic: gc 3 failed\n\
                   goroutine 1 [running]:\n";
        let p = parse_gctrace(log).unwrap();
        assert_eq!(p.minor.count, 2);
        assert_eq!(p.minor.max, ms(0.064));
        assert!(is_log_line(log.lines().next().unwrap()));
        assert!(!is_log_line("panic: gc 3 failed"));
    }

    #[test]
    fn log_lines_are_told_from_messages() {
        assert!(SERIAL.lines().take(5).all(is_log_line));
        assert!(!SERIAL.lines().skip(5).any(is_log_line));
        assert!(GCTRACE.lines().all(is_log_line));
    }

    #[test]
    fn tenured_gc_stats_lines() {
        let lines = [
            "minor 3 3000 900 1000 1100 1100".to_string(),
            "major 0 0 0 0 0 0".to_string(),
        ];
        let p = read(PauseLog::Stats, &lines, "").unwrap().unwrap();
        assert_eq!(p.minor.count, 3);
        assert_eq!(p.minor.p99, Duration::from_nanos(1100));
        assert_eq!(p.major.unwrap().count, 0);
        assert_eq!(read(PauseLog::Stats, &[], ""), None);
        assert!(read(PauseLog::Stats, &["minor 3 x".to_string()], "")
            .unwrap()
            .is_err());
    }

    #[test]
    fn table_rows() {
        let serial = parse_xlog_gc(SERIAL);
        let idle = parse_xlog_gc("[0.003s][info][gc] Using Parallel\n");
        let go = parse_gctrace(GCTRACE);
        let broken = Err("no time in `x|y`".to_string());
        let rows = [
            ("HotSpot SerialGC", PauseLog::HotSpot, &serial),
            ("HotSpot ParallelGC", PauseLog::HotSpot, &idle),
            ("Go", PauseLog::Go, &go),
            ("tenured-gc", PauseLog::Stats, &broken),
        ];
        let table = table("growing-graph", "nodes 2000000", &rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "### growing-graph pauses, nodes 2000000 (each peer's median run)"
        );
        assert_eq!(
            lines[4],
            "| HotSpot SerialGC | 2 | 32.0 µs | 103.55 ms | 103.55 ms | 2 | 462.85 ms | 483.56 ms \
             | 483.56 ms |"
        );
        assert_eq!(
            lines[5],
            "| HotSpot ParallelGC | 0 | – | – | – | 0 | – | – | – |"
        );
        assert_eq!(
            lines[6],
            "| Go | 10 | 12.0 µs | 230.0 µs | 230.0 µs | – | – | – | 230.0 µs |"
        );
        assert_eq!(
            lines[7],
            "| tenured-gc | no time in `x\\|y` | | | | | | | |"
        );
        assert!(table.contains("Go (`GODEBUG=gctrace=1`)"));
    }

    #[test]
    fn nearest_rank_percentiles() {
        let s = Summary::of((1..=200).map(Duration::from_millis).collect());
        assert_eq!(s.p50, Duration::from_millis(100));
        assert_eq!(s.p90, Duration::from_millis(180));
        assert_eq!(s.p99, Duration::from_millis(198));
        assert_eq!(s.max, Duration::from_millis(200));
    }
}
