//! `timl preview`: a template's messages (or a batch's rows) drawn as one HTML page,
//! written to `-o` or standard output; or, with `--serve`, served on 127.0.0.1 and
//! drawn again whenever the template, a `.timl` file beside it (its includes), or its
//! data or variables change, the open page reloading itself.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::config::{InputPath, PreviewConfig};
use super::input::{input_cap, input_dir, input_kind, read_input};
use super::outcome::Outcome;
use super::output::{refuse_an_input, PendingOutput};
use super::serve::{self, Served};
use crate::compile::batch::compile_input;
use crate::error::Error;
use crate::preview::{Collector, PageOptions};

/// `timl preview`.
pub(super) fn preview(config: PreviewConfig) -> Result<Outcome, Error> {
    if config.serve {
        return serve(&config);
    }
    refuse_an_input(config.output.as_deref(), &config.input, &config.variables)?;
    let (page, errors) = render(&config, None)?;
    PendingOutput::new(config.output.as_deref())?.finish_with(page.as_bytes())?;
    if errors > 0 {
        status!("{errors} message(s) with errors: the page shows them; nothing would be sent");
        return Ok(Outcome::InputProblems);
    }
    Ok(Outcome::Success)
}

/// The page of `config`'s messages, and how many of them have errors.
fn render(config: &PreviewConfig, live: Option<(u64, String)>) -> Result<(String, usize), Error> {
    let input = &config.input;
    let (name, bytes) = read_input(input, input_cap(input, &config.options))?;
    let mut collector = Collector::new(config.remote, config.options.faces.clone());
    let mut errors = 0;
    let mut row = 0;
    compile_input(
        &name,
        &bytes,
        input_kind(input, &name),
        &input_dir(input),
        &config.variables,
        &config.options,
        &mut |compiled| {
            row += 1;
            errors += usize::from(compiled.has_errors());
            let origin = match &config.variables.data {
                Some(data) => format!("row {row} of {}", data.display()),
                None => name.clone(),
            };
            collector.add(origin, &compiled);
            Ok(())
        },
    )?;
    let options = PageOptions {
        remote: config.remote,
        live,
    };
    Ok((collector.page(&name, &options), errors))
}

/// `--serve`: the page on 127.0.0.1 (a free port, printed), drawn again when its
/// sources change.
fn serve(config: &PreviewConfig) -> Result<Outcome, Error> {
    let bind_error = |source| Error::Write {
        path: PathBuf::from("127.0.0.1"),
        source,
    };
    let listener = TcpListener::bind("127.0.0.1:0").map_err(bind_error)?;
    let address = listener.local_addr().map_err(bind_error)?;
    let nonce = format!("{:08x}", crate::message::random::fresh());
    let (page, _) = render(config, Some((1, nonce.clone())))?;
    let served = Arc::new(Mutex::new(Served { version: 1, page }));
    let token = serve::token();
    let mut stdout = std::io::stdout();
    writeln!(stdout, "http://{address}/{token}/")
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Write {
            path: PathBuf::from("<stdout>"),
            source,
        })?;
    status!("serving the preview on 127.0.0.1 only, to whoever has its address (keep it to yourself); Ctrl-C stops it");
    {
        let (served, config) = (served.clone(), config.clone());
        std::thread::spawn(move || watch(&config, &served, &nonce));
    }
    serve::serve_forever(listener, address, &token, &served);
    Ok(Outcome::Success)
}

/// Draws the page again whenever a source changes.
fn watch(config: &PreviewConfig, served: &Mutex<Served>, nonce: &str) {
    let mut seen = fingerprint(config);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = fingerprint(config);
        if now == seen {
            continue;
        }
        seen = now;
        let version = served.lock().map_or(0, |s| s.version) + 1;
        match render(config, Some((version, nonce.to_owned()))) {
            Ok((page, _)) => {
                if let Ok(mut served) = served.lock() {
                    *served = Served { version, page };
                }
            }
            Err(error) => status!(
                "error: {}",
                crate::diag::render::printable(&error.to_string())
            ),
        }
    }
}

/// What the page depends on, as (path, modified, length): the template, the `.timl`
/// files beside it, the data and the variables file.
fn fingerprint(config: &PreviewConfig) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if let InputPath::File(path) = &config.input {
        paths.push(path.clone());
        let dir = input_dir(&config.input);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            paths.extend(
                entries
                    .flatten()
                    .map(|entry| entry.path())
                    .filter(|path| path.extension().is_some_and(|e| e == "timl")),
            );
        }
    }
    paths.extend(config.variables.data.iter().cloned());
    paths.extend(config.variables.vars_file.iter().cloned());
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let metadata = std::fs::metadata(&path).ok();
            let modified = metadata.as_ref().and_then(|m| m.modified().ok());
            let length = metadata.map_or(0, |m| m.len());
            (path, modified, length)
        })
        .collect()
}
