//! "Save as one file": the run as it stands (the scenario with the reader's actions, at the
//! playhead) as a single HTML file that opens offline from disk and replays exactly. The file
//! holds the page's own wasm (gzipped, base64), its JS glue and snippets, its CSS and the
//! run's link fragment; its loader instantiates the wasm from those bytes (docs/embedding.md,
//! "One-file export").
//!
//! The page gets its own bytes at save time: it fetches the assets its `<head>` names (trunk
//! lists the wasm, the glue and the snippets for preloading, and the stylesheets), all from
//! its own origin and already in the browser's cache; a saved file saving again reuses the
//! assets its loader kept (the app clears `<body>`, where the file carried them). The JS below builds the file, so the wasm carries none of it.

use crate::state::Playground;
use paxoscope_core::scenario::to_url_fragment;
use wasm_bindgen::prelude::wasm_bindgen;
use yew::prelude::*;

#[wasm_bindgen(inline_js = r#"
const LOADER = `
const out = (m) => { document.body.textContent = 'This saved Paxoscope run could not start: ' + m; };
try {
  globalThis.paxoscopeOneFile = true;
  const a = JSON.parse(document.getElementById('paxoscope-one-file').textContent);
  // The app renders into <body> and clears it, this element too: kept here to save again.
  globalThis.paxoscopeOneFileAssets = a;
  if (location.hash.length < 2) history.replaceState(null, '', '#' + a.fragment);
  const style = document.createElement('style');
  style.textContent = a.css;
  document.head.append(style);
  const js = (t) => URL.createObjectURL(new Blob([t], { type: 'text/javascript' }));
  let glue = a.glue;
  for (const [spec, text] of Object.entries(a.snippets)) {
    const url = JSON.stringify(js(text));
    for (const q of ["'", '"']) glue = glue.split('from ' + q + spec + q).join('from ' + url);
  }
  const gz = Uint8Array.from(atob(a.wasm), (c) => c.charCodeAt(0));
  const wasm = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  const m = await import(js(glue));
  await m.default({ module_or_path: wasm });
} catch (e) { out(e && e.message || e); }
`;

async function own_assets() {
  // A saved file saving again: the assets its loader kept.
  if (globalThis.paxoscopeOneFileAssets) return { ...globalThis.paxoscopeOneFileAssets };
  const hrefs = (sel) => [...document.querySelectorAll(sel)].map((l) => l.href);
  const wasm_url = hrefs('link[rel=preload][href$=".wasm"]')[0];
  const glue_url = hrefs('link[rel=modulepreload]').find((u) => !u.includes('/snippets/'));
  if (!wasm_url || !glue_url) throw new Error("the page's head does not name its wasm and JS (not a trunk build?)");
  const get = async (url) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ' answered HTTP ' + r.status);
    return r;
  };
  const text = async (url) => (await get(url)).text();
  const glue = await text(glue_url);
  const snippets = {};
  // wasm-bindgen imports a snippet 'like this', or "like this" when the wasm calls it directly.
  for (const [, , spec] of glue.matchAll(/from (['"])(\.\/snippets\/[^'"]+)\1/g)) snippets[spec] = await text(new URL(spec, glue_url));
  const css = (await Promise.all(hrefs('link[rel=stylesheet]').map(text))).join('\n');
  // Read whole before compressing: a fetch whose body is piped as a stream is sometimes
  // reported cancelled (net::ERR_ABORTED) when the download starts, though every byte came.
  const raw = await (await get(wasm_url)).arrayBuffer();
  const gz = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  let bin = '';
  for (let i = 0; i < gz.length; i += 0x8000) bin += String.fromCharCode.apply(null, gz.subarray(i, i + 0x8000));
  return { css, glue, snippets, wasm: btoa(bin) };
}

async function build(fragment, file_name, title) {
  const a = await own_assets();
  a.fragment = fragment;
  const safe = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const html = '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<title>' + safe(title) + '</title>\n<link rel="icon" href="data:,">\n</head>\n<body>\n' +
    '<script type="application/json" id="paxoscope-one-file">' + JSON.stringify(a).replace(/</g, '\\u003c') + '</script>\n' +
    '<script type="module">' + LOADER + '</script>\n</body>\n</html>\n';
  const blob = new Blob([html], { type: 'text/html' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file_name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return blob.size;
}

export function save_one_file(fragment, file_name, title, status_id) {
  const status = document.getElementById(status_id);
  const say = (text, cls) => { if (status) { status.textContent = text; status.className = 'small ' + cls; } };
  say('Building the file…', 'muted');
  build(fragment, file_name, title).then(
    (size) => {
      say('Saved ' + file_name + ' (' + Math.round(size / 1024) + ' KB): it opens offline, from disk, at this moment.', 'copy-ok');
      status?.setAttribute('data-one-file-saved', file_name);
    },
    (e) => say('The file could not be made: ' + (e && e.message || e) + '.', 'error'));
}
"#)]
extern "C" {
    /// Builds the file and hands it to the browser as a download; the element `status_id`
    /// says how it went (its size, or what failed).
    fn save_one_file(fragment: &str, file_name: &str, title: &str, status_id: &str);
}

/// `paxoscope-seed7-12000ms.html`: the seed and the playhead it opens at.
pub fn file_name(seed: u64, t_ms: u64) -> String {
    format!("paxoscope-seed{seed}-{t_ms}ms.html")
}

/// The "Save as one file" button and its status line (a plain function: the status is written
/// by the JS that makes the file, so no component state is needed).
pub fn save_panel(state: &UseReducerHandle<Playground>) -> Html {
    let state = state.clone();
    let onclick = Callback::from(move |_: MouseEvent| {
        // Opens paused at the playhead, so the file shows this very moment.
        let mut scenario = state.scenario_with_view();
        if let Some(v) = scenario.view.as_mut() {
            v.paused = true;
        }
        let t_ms = scenario.view.as_ref().map_or(0, |v| v.t_ms);
        let name = scenario.name.clone();
        let title = format!(
            "Paxoscope: {} at {} (saved run)",
            name.unwrap_or_else(|| format!("seed {}", scenario.seed)),
            crate::labels::seconds(t_ms)
        );
        let file = file_name(scenario.seed, t_ms);
        save_one_file(
            &to_url_fragment(&scenario),
            &file,
            &title,
            "one-file-status",
        );
    });
    html! {
        <section class="panel one-file" aria-label="Save as one file">
            <button type="button" class="btn" {onclick}
                    title="One HTML file with the playground inside: opens offline and replays this run">{ "Save as one file" }</button>
            <span id="one-file-status" role="status"></span>
        </section>
    }
}
