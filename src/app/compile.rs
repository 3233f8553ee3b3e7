//! `timl compile`: one input in, its request bodies written whole to `-o` or standard
//! output, or nothing when any has an error.

use std::io::{self, Write};

use super::config::{CompileConfig, Format};
use super::input::{input_cap, input_dir, input_kind, read_input};
use super::outcome::Outcome;
use super::output::{refuse_an_input, PendingOutput};
use super::printer::Printer;
use crate::compile::batch::compile_input;
use crate::diag::render::{self, Colour};
use crate::error::Error;

pub(super) fn compile(config: CompileConfig) -> Result<Outcome, Error> {
    refuse_an_input(config.output.as_deref(), &config.input, &config.variables)?;
    let (name, bytes) = read_input(&config.input, input_cap(&config.input, &config.options))?;
    let kind = input_kind(&config.input, &name);
    let colour = Colour::for_stream(&io::stderr());
    let mut printer = Printer::new(Format::Human, colour);
    // Messages go to a temporary file beside the output file (in the temporary folder
    // for standard output, a FIFO or a device): written whole, and only when every
    // message compiled.
    let mut output = PendingOutput::new(config.output.as_deref())?;
    let shape = compile_input(
        &name,
        &bytes,
        kind,
        &input_dir(&config.input),
        &config.variables,
        &config.options,
        &mut |compiled| {
            printer.print_to_stderr(&compiled.diagnostics);
            if let (Some(json), 0) = (compiled.compact_json(), printer.tally.errors) {
                output.push(json, compiled.message)?;
            }
            Ok(())
        },
    )?;
    let _ = io::stderr().write_all(printer.end_input().as_bytes());
    if printer.tally.errors > 0 {
        if let Some(summary) = render::summary(printer.tally, colour) {
            let _ = writeln!(io::stderr(), "{summary}: nothing was written");
        }
        return Ok(Outcome::InputProblems);
    }
    output.finish(shape)?;
    Ok(Outcome::Success)
}
