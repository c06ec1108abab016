import Mustache

/// The console's pages as Mustache templates, kept in the binary (an installed daemon has no
/// resource folder beside it). Every page extends `layout`; `{{x}}` escapes HTML, and nothing
/// here uses the unescaped form, so text from outside (messages, names, findings) is always text.
enum ConsoleTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", layout), ("chart", chart), ("signin", signIn), ("message", message), ("overview", overview), ("holds", holds), ("hold", hold),
            ("audit", audit), ("record", record), ("outbox", outbox), ("config", config), ("configDiff", configDiff), ("report", report),
            ("reportTable", reportTable),
        ] {
            try library.register(text, named: name)
        }
        return library
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Gatehouse</title>
        <link rel="stylesheet" href="/static/console.css">
        <script src="/static/console.js" defer></script>
        </head>
        <body>
        <header class="bar">
        <a class="brand" href="/">Gatehouse</a>
        {{#signedIn}}
        <nav>
        <a href="/"{{#atOverview}} aria-current="page"{{/atOverview}}>Overview</a>
        <a href="/holds"{{#atHolds}} aria-current="page"{{/atHolds}}>Holds{{#holdsWaiting}} <span class="count">{{holdsWaiting}}</span>{{/holdsWaiting}}</a>
        <a href="/outbox"{{#atOutbox}} aria-current="page"{{/atOutbox}}>Outbox</a>
        <a href="/audit"{{#atAudit}} aria-current="page"{{/atAudit}}>Audit log</a>
        <a href="/reports"{{#atReports}} aria-current="page"{{/atReports}}>Reports</a>
        <a href="/config"{{#atConfig}} aria-current="page"{{/atConfig}}>Config</a>
        </nav>
        <form method="post" action="/signout" class="signout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who" title="{{personID}}">{{personName}} · {{role}}</span>
        <button type="submit">Sign out</button>
        </form>
        {{/signedIn}}
        </header>
        <main>
        {{#standby}}<p class="standby" role="note">{{standby}}</p>{{/standby}}
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{$body}}{{/body}}
        </main>
        <footer>config {{revision}}</footer>
        </body>
        </html>
        """

    static let signIn = """
        {{<layout}}{{$body}}
        <section class="signin">
        <h1>Sign in</h1>
        <p>Gatehouse decides what crosses between the workspace and the outside world. Sign in with your company's DingTalk account.</p>
        <p><a class="button" href="/signin/start?next={{next}}">Sign in with DingTalk</a></p>
        </section>
        {{/body}}{{/layout}}
        """

    /// One of the overview's charts, with its numbers.
    static let chart = """
        <h2>{{title}}</h2>
        <figure class="chart">
        <img src="{{image}}" width="720" height="220" alt="{{title}}, stacked: {{total}} in all (the table below has the numbers)">
        <figcaption class="legend">{{#categories}}<span><i class="c-{{name}}"></i>{{name}}</span> {{/categories}}</figcaption>
        </figure>
        {{#hasRows}}
        <table class="traffic">
        <thead><tr><th>{{rowsName}}</th>{{#categories}}<th>{{name}}</th>{{/categories}}<th>All</th></tr></thead>
        <tbody>{{#rows}}<tr><td>{{name}}</td>{{#counts}}<td>{{count}}</td>{{/counts}}<td>{{total}}</td></tr>
        {{/rows}}</tbody>
        </table>
        {{/hasRows}}
        {{^hasRows}}<p>{{empty}}</p>{{/hasRows}}
        """

    static let message = """
        {{<layout}}{{$body}}
        <section>
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        {{#again}}<p><a class="button" href="/signin">Sign in again</a></p>{{/again}}
        </section>
        {{/body}}{{/layout}}
        """

    static let overview = """
        {{<layout}}{{$body}}
        <h1>Overview</h1>
        <section class="tiles">
        <a class="tile{{#holdsAttention}} attention{{/holdsAttention}}" href="/holds"><span class="figure">{{holds}}</span> holds waiting</a>
        <div class="tile{{#deadAttention}} attention{{/deadAttention}}"><span class="figure">{{dead}}</span> dead letters</div>
        <div class="tile"><span class="figure">{{scheduled}}</span> scheduled</div>
        <div class="tile"><span class="figure">{{queued}}</span> queued to send</div>
        <div class="tile"><span class="figure">{{records}}</span> audit records</div>
        <div class="tile{{#checkpointStale}} attention{{/checkpointStale}}"><span class="figure">{{checkpointAge}}</span> {{#checkpointNone}}no checkpoint yet{{/checkpointNone}}{{^checkpointNone}}since the last checkpoint ({{checkpointed}} records){{/checkpointNone}}</div>
        </section>
        <p class="spans">Per {{#spans}}<a href="/?span={{value}}"{{#selected}} aria-current="true"{{/selected}}>{{value}}</a> {{/spans}}</p>
        {{#crossings}}{{> chart}}{{/crossings}}
        {{#deliveries}}{{> chart}}{{/deliveries}}
        <h2>Queues</h2>
        {{#hasQueues}}
        <table>
        <thead><tr><th>Destination</th><th>Pending</th><th>Sending</th><th>Deferred</th><th>Held</th><th>Dead</th></tr></thead>
        <tbody>
        {{#queues}}<tr><td>{{destination}}</td><td>{{pending}}</td><td>{{inflight}}</td><td>{{deferred}}</td><td>{{held}}</td><td>{{dead}}</td></tr>
        {{/queues}}
        </tbody>
        </table>
        {{/hasQueues}}
        {{^queues}}<p>Nothing is waiting to be sent.</p>{{/queues}}
        {{/body}}{{/layout}}
        """

    static let holds = """
        {{<layout}}{{$body}}
        <h1>Holds</h1>
        {{^items}}<p>No message is waiting for a decision.</p>{{/items}}
        {{#hasItems}}
        <table class="holds">
        <thead><tr><th>#</th><th>Route</th><th>To</th><th>Held since</th><th>Message</th></tr></thead>
        <tbody>
        {{#items}}<tr><td><a href="/holds/{{id}}">{{id}}</a></td><td>{{route}}</td><td>{{destination}}</td><td><time datetime="{{createdISO}}">{{created}}</time></td><td class="excerpt"><a href="/holds/{{id}}">{{excerpt}}</a></td></tr>
        {{/items}}
        </tbody>
        </table>
        {{/hasItems}}
        {{/body}}{{/layout}}
        """

    static let hold = """
        {{<layout}}{{$body}}
        <p><a href="/holds">← Holds</a></p>
        <h1>Hold {{id}}</h1>
        <dl class="facts">
        <dt>Route</dt><dd>{{route}} → {{destination}}</dd>
        <dt>From</dt><dd>{{origin}}{{#sender}} · sender {{sender}}{{/sender}}</dd>
        <dt>Held since</dt><dd><time datetime="{{createdISO}}">{{created}}</time></dd>
        {{#review}}<dt>Review</dt><dd>{{approvals}} of {{needed}} approvals{{#deadline}} · decide by <time datetime="{{deadlineISO}}">{{deadline}}</time>{{/deadline}}{{#escalated}} · escalated{{/escalated}}</dd>{{/review}}
        </dl>
        <h2>What would be sent</h2>
        <pre class="outgoing">{{text}}</pre>
        {{#hasLinks}}<h2>Links it carries</h2><ul class="links">{{#links}}<li><code>{{.}}</code></li>{{/links}}</ul>{{/hasLinks}}
        {{#hasAttachments}}<h2>Attachments</h2><ul>{{#attachments}}<li>{{name}} {{#bytes}}({{bytes}} bytes){{/bytes}} {{#mimeType}}<code>{{mimeType}}</code>{{/mimeType}}</li>{{/attachments}}</ul>{{/hasAttachments}}
        <h2>Findings</h2>
        {{^findings}}<p>None: the route holds every message.</p>{{/findings}}
        {{#hasFindings}}<table><thead><tr><th>Check</th><th>Detector</th><th>In</th><th>Position</th></tr></thead><tbody>
        {{#findings}}<tr><td>{{check}}</td><td>{{detector}}</td><td>{{field}}</td><td>{{position}}</td></tr>
        {{/findings}}</tbody></table>{{/hasFindings}}
        {{#hasVotes}}<h2>Decisions so far</h2><ul>{{#votes}}<li>{{who}}: {{verdict}}{{#reason}} — {{reason}}{{/reason}}</li>{{/votes}}</ul>{{/hasVotes}}
        {{#mayDecide}}
        <h2>Decide</h2>
        <form method="post" action="/holds/{{id}}/decide" class="decide">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="reason">Reason (recorded in the audit log)</label>
        <textarea id="reason" name="reason" rows="3" maxlength="500"></textarea>
        <div class="actions">
        <button type="submit" name="decision" value="approve" class="approve">Approve</button>
        <button type="submit" name="decision" value="reject" class="reject" data-confirm="Reject hold {{id}}? It will never be sent.">Reject</button>
        </div>
        </form>
        {{/mayDecide}}
        {{/body}}{{/layout}}
        """

    static let audit = """
        {{<layout}}{{$body}}
        <h1>Audit log</h1>
        <form method="get" action="/audit" class="search">
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label>
        <label>Route <select name="route"><option value="">any</option>{{#routes}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/routes}}</select></label>
        <label>Channel <select name="channel"><option value="">any</option>{{#channels}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/channels}}</select></label>
        <label>Verdict <select name="verdict"><option value="">any</option>{{#verdicts}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/verdicts}}</select></label>
        <label>Check <select name="check"><option value="">any</option>{{#checks}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/checks}}</select></label>
        <label>Kind <select name="kind"><option value="">any</option>{{#kinds}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/kinds}}</select></label>
        <label>Sender <input name="sender" value="{{sender}}" placeholder="staff or user id"></label>
        <label>Ticket <input name="ticket" value="{{ticket}}" inputmode="numeric"></label>
        <label class="wide">Text <input name="text" value="{{text}}" placeholder="words in the content still kept"></label>
        <div class="actions"><button type="submit" class="approve">Search</button>
        <a class="button" href="{{exportCSV}}">Export CSV</a> <a class="button" href="{{exportJSONL}}">Export JSON Lines</a></div>
        </form>
        {{^hasRows}}<p>No record matches{{#older}} among these{{/older}}.</p>{{/hasRows}}
        {{#hasRows}}
        <table class="records">
        <thead><tr><th>#</th><th>Time</th><th>Kind</th><th>Route</th><th>From → to</th><th>Decision</th><th>Checks</th><th>Content</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="/audit/{{sequence}}">{{sequence}}</a></td><td><time datetime="{{timeISO}}">{{time}}</time></td><td>{{kind}}</td><td>{{route}}</td><td>{{from}} → {{to}}</td><td>{{decision}}</td><td>{{checks}}</td><td class="excerpt">{{excerpt}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{/hasRows}}
        {{#older}}<p class="pager">{{scannedNote}} <a href="{{older}}">Older →</a></p>{{/older}}
        {{/body}}{{/layout}}
        """

    static let record = """
        {{<layout}}{{$body}}
        <p><a href="/audit">← Audit log</a></p>
        <h1>Record {{sequence}}</h1>
        <dl class="facts">
        <dt>Kind</dt><dd>{{kind}}</dd>
        <dt>Time</dt><dd><time datetime="{{timeISO}}">{{time}}</time></dd>
        {{#route}}<dt>Route</dt><dd>{{route}}</dd>{{/route}}
        <dt>From → to</dt><dd>{{from}} → {{to}}</dd>
        {{#sender}}<dt>Sender</dt><dd>{{sender}}</dd>{{/sender}}
        {{#decision}}<dt>Decision</dt><dd>{{decision}}</dd>{{/decision}}
        {{#checks}}<dt>Checks</dt><dd>{{checks}}</dd>{{/checks}}
        {{#reviewer}}<dt>Who</dt><dd>{{reviewer}}</dd>{{/reviewer}}
        {{#reason}}<dt>Reason</dt><dd>{{reason}}</dd>{{/reason}}
        {{#ticket}}<dt>Ticket</dt><dd>#{{ticket}}</dd>{{/ticket}}
        </dl>
        <h2>Proof</h2>
        {{#checkpoint}}<p>Covered by the checkpoint of the log's first {{size}} records, signed <time datetime="{{signedISO}}">{{signed}}</time>.</p>
        <p><a class="button" href="/audit/{{sequence}}/proof" download>Download its inclusion proof</a> <small>(c2sp.org/tlog-proof@v1: the leaf, its Merkle path and the signed checkpoint, checkable offline)</small></p>{{/checkpoint}}
        {{^checkpoint}}<p>No checkpoint covers this record yet; the daemon signs one every checkpoint_every.</p>{{/checkpoint}}
        {{#received}}<h2>As received</h2><pre class="outgoing">{{received}}</pre>{{/received}}
        {{#decided}}<h2>As decided</h2><pre class="outgoing">{{decided}}</pre>{{/decided}}
        {{#erased}}<p>Its content has been erased (keep_content); the record and its commitments stand.</p>{{/erased}}
        <h2>The record as hashed</h2>
        <pre class="leaf">{{leaf}}</pre>
        {{/body}}{{/layout}}
        """

    static let outbox = """
        {{<layout}}{{$body}}
        <h1>Outbox</h1>
        <h2>Dead letters</h2>
        {{^hasDead}}<p>No delivery has been given up.</p>{{/hasDead}}
        {{#hasDead}}<table class="jobs"><thead><tr><th>#</th><th>Route</th><th>To</th><th>Queued</th><th>Attempts</th><th>Message</th>{{#mayAct}}<th>Act</th>{{/mayAct}}</tr></thead><tbody>
        {{#dead}}<tr><td><a href="/audit/{{crossing}}">{{id}}</a></td><td>{{route}}</td><td>{{destination}}</td><td><time datetime="{{createdISO}}">{{created}}</time></td><td>{{attempts}}</td><td class="excerpt">{{excerpt}}</td>
        {{#mayAct}}<td><form method="post" action="/outbox/{{id}}/retry" class="act"><input type="hidden" name="csrf" value="{{csrf}}"><input name="reason" required placeholder="reason" aria-label="reason"><button type="submit">Retry</button></form>
        <form method="post" action="/outbox/{{id}}/discard" class="act"><input type="hidden" name="csrf" value="{{csrf}}"><input name="reason" required placeholder="reason" aria-label="reason"><button type="submit" class="reject" data-confirm="Discard job {{id}}? It will never be sent.">Discard</button></form></td>{{/mayAct}}</tr>
        {{/dead}}</tbody></table>{{/hasDead}}
        <h2>Scheduled announcements</h2>
        {{^hasScheduled}}<p>Nothing is scheduled.</p>{{/hasScheduled}}
        {{#hasScheduled}}<table class="jobs"><thead><tr><th>#</th><th>Route</th><th>To</th><th>Due</th><th>Message</th>{{#mayAct}}<th>Act</th>{{/mayAct}}</tr></thead><tbody>
        {{#scheduled}}<tr><td><a href="/audit/{{crossing}}">{{id}}</a></td><td>{{route}}</td><td>{{destination}}</td><td><time datetime="{{dueISO}}">{{due}}</time></td><td class="excerpt">{{excerpt}}</td>
        {{#mayAct}}<td><form method="post" action="/outbox/{{id}}/cancel" class="act"><input type="hidden" name="csrf" value="{{csrf}}"><input name="reason" required placeholder="reason" aria-label="reason"><button type="submit" class="reject" data-confirm="Cancel announcement {{id}}?">Cancel</button></form></td>{{/mayAct}}</tr>
        {{/scheduled}}</tbody></table>{{/hasScheduled}}
        {{/body}}{{/layout}}
        """

    static let config = """
        {{<layout}}{{$body}}
        <h1>Config</h1>
        <dl class="facts">
        <dt>In force</dt><dd><code>{{revision}}</code></dd>
        <dt>File</dt><dd><code>{{file}}</code></dd>
        <dt>Routes</dt><dd>{{routes}}</dd>
        <dt>Channels</dt><dd>{{channels}}</dd>
        <dt>Reloads refused</dt><dd>{{failures}}{{#lastFailure}} — the last: {{lastFailure}}{{/lastFailure}}</dd>
        </dl>
        <h2>Files</h2>
        {{#hasSources}}<p>As read when this revision was first loaded; every secret written in the file itself is masked.</p>
        {{#sources}}<details class="source"><summary><code>{{path}}</code></summary><pre>{{text}}</pre></details>
        {{/sources}}{{/hasSources}}
        {{^hasSources}}<p>The log does not hold this revision's files: it was first loaded before they were kept.</p>{{/hasSources}}
        <h2>History</h2>
        <p>Every config the gateway decided by, newest first, as the audit log records it, with what each changed.</p>
        {{^hasLoads}}<p>No config_loaded record yet.</p>{{/hasLoads}}
        {{#hasLoads}}<table><thead><tr><th>Record</th><th>Loaded</th><th>Revision</th><th>From</th><th>By</th><th>Changes</th></tr></thead><tbody>
        {{#loads}}<tr><td><a href="/audit/{{sequence}}">{{sequence}}</a></td><td><time datetime="{{timeISO}}">{{time}}</time></td><td><code>{{revision}}</code>{{#current}} (in force){{/current}}</td><td>{{file}}</td><td>{{by}}</td><td>{{#diff}}<a href="{{diff}}">what changed</a>{{/diff}}{{#unchanged}}the same{{/unchanged}}</td></tr>
        {{/loads}}</tbody></table>{{/hasLoads}}
        <h2>Reloads refused</h2>
        {{^hasRefused}}<p>The log records no refused reload.</p>{{/hasRefused}}
        {{#hasRefused}}<p>The newest 20, as the audit log records them; the config in force kept serving each time.</p>
        <table><thead><tr><th>Record</th><th>When</th><th>Serving</th><th>Asked by</th><th>Problems</th></tr></thead><tbody>
        {{#refused}}<tr><td><a href="/audit/{{sequence}}">{{sequence}}</a></td><td><time datetime="{{timeISO}}">{{time}}</time></td><td><code>{{serving}}</code></td><td>{{by}}</td><td><ul class="problems">{{#problems}}<li><code>{{.}}</code></li>{{/problems}}</ul></td></tr>
        {{/refused}}</tbody></table>{{/hasRefused}}
        {{/body}}{{/layout}}
        """

    static let configDiff = """
        {{<layout}}{{$body}}
        <h1>From <code>{{from}}</code> to <code>{{to}}</code></h1>
        <p><a href="/config">Back to the config</a></p>
        {{#same}}<p>The two revisions' files are the same.</p>{{/same}}
        {{#files}}
        <h2><code>{{path}}</code> ({{status}})</h2>
        {{#tooDifferent}}<p>Too different to compare line by line.</p>{{/tooDifferent}}
        <table class="diff"><tbody>
        {{#hunks}}<tr class="d-gap"><td></td><td></td><td></td><td>⋯</td></tr>
        {{#lines}}<tr class="d-{{kind}}"><td>{{old}}</td><td>{{new}}</td><td>{{sign}}</td><td><code>{{text}}</code></td></tr>
        {{/lines}}{{/hunks}}
        </tbody></table>
        {{/files}}
        {{/body}}{{/layout}}
        """

    /// One of the report's tables.
    static let reportTable = """
        <table><thead><tr>{{#head}}<th>{{.}}</th>{{/head}}</tr></thead><tbody>
        {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
        {{/rows}}</tbody></table>
        """

    static let report = """
        {{<layout}}{{$body}}
        <h1>Period report: {{period}}</h1>
        <form class="filters noprint" method="get" action="/reports">
        <label>From <input type="date" name="from" value="{{from}}"></label>
        <label>To <input type="date" name="to" value="{{to}}"></label>
        <button type="submit">Show</button>
        <a href="/reports?{{lastMonth}}">last month</a> <a href="/reports?{{thisMonth}}">this month</a>
        <a class="button" href="/reports/pdf?from={{from}}&amp;to={{to}}">Download PDF</a>
        </form>
        <p>Generated {{generated}} by {{by}}. Counts are by the hour (UTC) their records were written.</p>
        <h2>Crossings per route and verdict</h2>
        {{#crossings}}{{> reportTable}}{{/crossings}}
        <h2>Deliveries per destination and outcome</h2>
        {{#deliveries}}{{> reportTable}}{{/deliveries}}
        <h2>Holds decided</h2>
        {{#hasDecisions}}{{#decisions}}{{> reportTable}}{{/decisions}}{{/hasDecisions}}
        {{^hasDecisions}}<p>No hold was decided in the period.</p>{{/hasDecisions}}
        {{#decisionsCut}}<p>More were decided than listed: search the audit log for the rest.</p>{{/decisionsCut}}
        <h2>Content erased</h2>
        <p>{{erased}} crossings' content was erased by retention in the period (their records and commitments stay).</p>
        <h2>Records written, by kind</h2>
        {{#records}}{{> reportTable}}{{/records}}
        <h2>Configs in force</h2>
        {{#hasConfigs}}{{#configs}}{{> reportTable}}{{/configs}}{{/hasConfigs}}
        {{^hasConfigs}}<p>No config was loaded in the period.</p>{{/hasConfigs}}
        <h2>Checkpoints signed</h2>
        {{#hasCheckpoints}}{{#checkpoints}}{{> reportTable}}{{/checkpoints}}{{/hasCheckpoints}}
        {{^hasCheckpoints}}<p>No checkpoint was signed.</p>{{/hasCheckpoints}}
        {{/body}}{{/layout}}
        """
}
