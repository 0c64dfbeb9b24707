//! The script that hydrates a page. One classic inline script in the document's head starts
//! fetching the bundle (`pkg/<name>.js` and `pkg/<name>_bg.wasm`, the names the server resolved
//! into `LeptosOptions::output_name`) and hydrates once the document is parsed. Unlike Leptos'
//! `HydrationScripts` it adds no `<link rel="modulepreload">` or `<link rel="preload">`: a
//! browser follows those even with JavaScript off, downloading a bundle nothing will run. With
//! JavaScript off nothing here runs, so no `.js` or `.wasm` is requested.

use leptos::prelude::*;

/// The inline script for the bundle named `output_name` under `/{pkg_dir}/`.
pub fn hydration_script(pkg_dir: &str, output_name: &str) -> String {
    let js = format!("/{pkg_dir}/{output_name}.js");
    let wasm = format!("/{pkg_dir}/{output_name}_bg.wasm");
    // Both downloads start at once, as the preload hints made them; hydration waits for the
    // whole document, as a module script would. wasm-bindgen's init takes the pending response.
    format!(
        "(()=>{{const wasm=fetch({wasm:?});const glue=import({js:?});\
         const go=()=>glue.then(async(m)=>{{await m.default({{module_or_path:wasm}});m.hydrate();}});\
         if(document.readyState===\"loading\"){{document.addEventListener(\"DOMContentLoaded\",go);}}else{{go();}}}})();"
    )
}

/// The hydration script for the site in `options`, with the page's CSP nonce when one is set.
#[component]
pub fn HydrationScript(options: LeptosOptions) -> impl IntoView {
    let script = hydration_script(&options.site_pkg_dir, &options.output_name);
    let nonce = leptos::nonce::use_nonce();
    view! { <script nonce=nonce>{script}</script> }
}

#[cfg(test)]
mod tests {
    use super::hydration_script;

    #[test]
    fn the_script_asks_for_the_named_bundle_and_nothing_else() {
        let script = hydration_script("pkg", "blueprint-0123456789abcdef");
        assert!(script.contains(r#"fetch("/pkg/blueprint-0123456789abcdef_bg.wasm")"#));
        assert!(script.contains(r#"import("/pkg/blueprint-0123456789abcdef.js")"#));
        assert!(script.contains("m.hydrate()"));
        assert!(!script.contains("</"));
    }
}
