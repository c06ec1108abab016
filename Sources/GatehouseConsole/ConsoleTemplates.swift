import Mustache

/// The console's pages as Mustache templates, kept in the binary (an installed daemon has no
/// resource folder beside it). Every page extends `layout`; `{{x}}` escapes HTML, and nothing
/// here uses the unescaped form, so text from outside (messages, names, findings) is always text.
enum ConsoleTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", layout), ("signin", signIn), ("message", message), ("overview", overview), ("holds", holds), ("hold", hold),
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
        </nav>
        <form method="post" action="/signout" class="signout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who" title="{{personID}}">{{personName}} · {{role}}</span>
        <button type="submit">Sign out</button>
        </form>
        {{/signedIn}}
        </header>
        <main>
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
        <div class="tile{{#checkpointStale}} attention{{/checkpointStale}}"><span class="figure">{{checkpointAge}}</span> since the last checkpoint ({{checkpointed}} records)</div>
        </section>
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
        {{#hasFindings}}<table><thead><tr><th>Check</th><th>Detector</th><th>Where</th><th>Found</th></tr></thead><tbody>
        {{#findings}}<tr><td>{{check}}</td><td>{{detector}}</td><td>{{field}}</td><td><mark>{{excerpt}}</mark></td></tr>
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
}
