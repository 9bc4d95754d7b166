//! Takes a URI apart the way POCO's `Poco::URI` does.
//!
//! ```text
//! cargo run --example uri -- 'HTTP://user@www.Example.com:80/a/./b/../c%20d?q=1+2#top' '../e?x'
//! ```
//!
//! Prints the components, the normalized form and, given a second argument, the reference
//! resolved against the first. Bad input is reported on stderr with a non-zero exit status.

use std::process::ExitCode;

use rpoco::foundation::{Error, Uri};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (uri, relative) = match args.as_slice() {
        [uri] => (uri, None),
        [uri, relative] => (uri, Some(relative)),
        _ => {
            eprintln!("usage: uri URI [RELATIVE-REFERENCE]");
            return ExitCode::from(2);
        }
    };
    match run(uri, relative.map(String::as_str)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uri: {e} ({})", e.poco_class());
            ExitCode::FAILURE
        }
    }
}

fn run(text: &str, relative: Option<&str>) -> Result<(), Error> {
    let uri = Uri::parse(text)?;
    println!("uri:            {uri}");
    println!("scheme:         {}", uri.scheme());
    println!("user info:      {}", uri.user_info());
    println!("host:           {}", uri.host());
    match uri.specified_port() {
        Some(port) => println!("port:           {port}"),
        None => println!("port:           {} (none given; the scheme's well-known port)", uri.port()),
    }
    println!("authority:      {}", uri.authority());
    println!("path (decoded): {}", uri.path());
    println!("path segments:  {:?}", uri.path_segments().collect::<Vec<_>>());
    println!("raw query:      {}", uri.raw_query());
    match uri.query() {
        Ok(query) => println!("query:          {query}"),
        Err(e) => println!("query:          cannot be decoded: {e}"),
    }
    if let Ok(params) = uri.query_parameters(true) {
        for (name, value) in params {
            println!("  parameter:    {name:?} = {value:?}");
        }
    }
    println!("raw fragment:   {}", uri.raw_fragment());
    println!("path and query: {}", uri.path_and_query());
    println!("relative:       {}", uri.is_relative());
    if !uri.is_relative() && !uri.host().is_empty() {
        match uri.host_to_ascii() {
            Ok(ascii) => println!("host (ASCII):   {ascii}"),
            Err(e) => println!("host (ASCII):   {e}"),
        }
    }

    let mut normalized = uri.clone();
    normalized.normalize();
    println!("normalized:     {normalized}");

    if let Some(relative) = relative {
        let resolved = Uri::resolve_from(&uri, relative)?;
        println!("resolved:       {resolved}   ({relative} against {uri})");
    }
    Ok(())
}
