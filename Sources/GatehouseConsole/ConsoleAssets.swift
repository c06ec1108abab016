/// The console's style sheet and script, served by the daemon itself (no outside host is ever
/// asked for anything). The pages work without the script; it only asks before a rejection.
enum ConsoleAssets {
    static let css = """
        :root{--ink:#1d2330;--muted:#5b6475;--line:#d9dee7;--accent:#1f5fbf;--warn:#b3261e;--ok:#1b7a3d;--bg:#f6f7f9}
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);background:var(--bg)}
        .bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1rem;background:#fff;border-bottom:1px solid var(--line)}
        .brand{font-weight:700;color:var(--ink);text-decoration:none}
        nav{display:flex;gap:1rem;flex:1}
        nav a{color:var(--muted);text-decoration:none;padding:.2rem 0}
        nav a[aria-current]{color:var(--ink);border-bottom:2px solid var(--accent)}
        .count{background:var(--warn);color:#fff;border-radius:1rem;padding:0 .45rem;font-size:.8rem}
        .signout{display:flex;align-items:center;gap:.5rem;margin:0}
        .who{color:var(--muted);font-size:.9rem}
        main{max-width:72rem;margin:0 auto;padding:1rem}
        footer{max-width:72rem;margin:2rem auto;padding:0 1rem;color:var(--muted);font-size:.8rem}
        h1{font-size:1.5rem;margin:.5rem 0 1rem}
        h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
        table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}
        th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-weight:600;color:var(--muted);font-size:.85rem}
        .excerpt{max-width:32rem;overflow-wrap:anywhere}
        .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.75rem;align-items:start}
        .tile{display:block;background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:.8rem;color:var(--muted);text-decoration:none}
        .tile .figure{display:block;font-size:1.6rem;color:var(--ink);font-weight:600}
        .tile.attention{border-color:var(--warn)}
        .tile.attention .figure{color:var(--warn)}
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;background:#fff;border:1px solid var(--line);padding:.8rem;border-radius:.5rem}
        .facts dt{color:var(--muted)}
        .facts dd{margin:0;overflow-wrap:anywhere}
        pre.outgoing{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid var(--line);padding:.8rem;border-radius:.5rem;font:inherit}
        mark{background:#fde7a9}
        .decide{display:flex;flex-direction:column;gap:.5rem;max-width:36rem}
        textarea{font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:.4rem}
        .actions{display:flex;gap:.75rem}
        button,.button{font:inherit;padding:.45rem 1rem;border-radius:.4rem;border:1px solid var(--line);background:#fff;color:var(--ink);cursor:pointer;text-decoration:none;display:inline-block}
        .button,.approve{background:var(--accent);border-color:var(--accent);color:#fff}
        .reject{border-color:var(--warn);color:var(--warn)}
        .search{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.5rem .75rem;background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:.8rem;margin-bottom:1rem}
        .search label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);gap:.2rem}
        .search .wide{grid-column:1/-1}
        .search input,.search select{font:inherit;padding:.35rem;border:1px solid var(--line);border-radius:.3rem;color:var(--ink);background:#fff}
        .search .actions{grid-column:1/-1;align-items:center}
        pre.leaf{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid var(--line);padding:.8rem;border-radius:.5rem;font-size:.85rem}
        .pager{color:var(--muted)}
        .chart{margin:0;background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:.6rem}
        .chart img{width:100%;height:auto;display:block}
        .legend{display:flex;gap:1rem;font-size:.85rem;color:var(--muted);margin-top:.4rem}
        .legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:.15rem;margin-right:.3rem;vertical-align:-.1rem}
        @media print{header.bar,.noprint{display:none}body{font-size:10pt}}
        .diff{font-size:.85rem;width:100%}.diff td{padding:0 .4rem;vertical-align:top}.diff td:nth-child(-n+3){color:#8a919e;text-align:right;width:1%;white-space:nowrap}.diff code{white-space:pre-wrap}.d-added{background:#e6f4ea}.d-removed{background:#fce8e6}.d-gap td{color:#8a919e;background:#f4f6f9}.source pre{overflow:auto;max-height:30rem;background:#f4f6f9;padding:.5rem}
        .c-forward,.c-delivered{background:#1b7a3d}.c-redact,.c-deferred{background:#c98a00}.c-hold{background:#1f5fbf}.c-block,.c-dead{background:#b3261e}.c-cancelled{background:#8a919e}
        .spans a{margin-right:.5rem}
        .spans a[aria-current]{font-weight:600;color:var(--ink)}
        table.traffic td:not(:first-child),table.traffic th:not(:first-child){text-align:right}
        form.act{display:flex;gap:.3rem;margin:.15rem 0}
        form.act input{font:inherit;padding:.25rem .4rem;border:1px solid var(--line);border-radius:.3rem;min-width:6rem}
        .notice{background:#e8f1fd;border:1px solid #b7cff3;padding:.6rem .8rem;border-radius:.4rem}
        .standby{background:#fff4e0;border:1px solid #f0c97a;padding:.6rem .8rem;border-radius:.4rem}
        .signin{max-width:30rem;margin:4rem auto;background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1.5rem}
        @media (max-width:40rem){.holds th:nth-child(4),.holds td:nth-child(4){display:none}.bar{gap:.4rem}.signout .who{display:none}
        table{display:block;overflow-x:auto}nav{order:3;flex-basis:100%;flex-wrap:wrap;gap:.8rem}.signout{margin-left:auto}main{padding:.6rem}}
        """

    static let js = """
        "use strict";
        document.addEventListener("click", function (event) {
          var button = event.target.closest("button[data-confirm]");
          if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
        });
        """
}
