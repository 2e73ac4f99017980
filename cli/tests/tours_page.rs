//! The tour index page (`www/tours.html`, served as `tours.html`) is what `paxoscope tours
//! --html` writes for today's tours, and it lists every tour with what it teaches.

use paxoscope_core::presets::PRESETS;

mod common;
use common::{paxoscope, stdout};

fn committed_page() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/tours.html");
    std::fs::read_to_string(path).expect("www/tours.html exists")
}

#[test]
fn the_committed_page_is_the_generated_one() {
    let out = paxoscope(&["tours", "--html"]);
    assert!(out.status.success(), "paxoscope tours --html failed");
    assert!(
        stdout(&out) == committed_page(),
        "www/tours.html is stale: regenerate it with \
         `cargo run --release -p paxoscope-cli -- tours --html > www/tours.html`"
    );
}

#[test]
fn every_tour_is_listed_with_its_link_and_what_it_teaches() {
    let page = committed_page();
    for p in &PRESETS {
        let link = format!("href=\"index.html#tour={}\"", p.id);
        assert!(
            page.contains(&link),
            "tour {} has no link in tours.html",
            p.id
        );
        let start = page.find(&format!("<li id=\"tour-{}\">", p.id)).unwrap();
        let item = &page[start..start + page[start..].find("</li>").unwrap()];
        assert!(
            item.contains("What you will learn:"),
            "tour {}: no learn line",
            p.id
        );
        assert!(item.contains("How it ends"), "tour {}: no ending", p.id);
    }
}

#[test]
fn the_text_list_groups_tours_under_their_protocol() {
    let out = stdout(&paxoscope(&["tours"]));
    let basic = out.find("Basic Paxos").expect("a Basic Paxos heading");
    let ceph = out.find("Ceph monitor Paxos").expect("a Ceph heading");
    let dueling = out.find("bp-dueling").expect("bp-dueling listed");
    let startup = out.find("startup").expect("startup listed");
    assert!(basic < dueling && dueling < ceph && ceph < startup, "{out}");
}
