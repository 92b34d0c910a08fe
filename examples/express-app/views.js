'use strict'
// HTML for the example's pages: plain template strings, every value escaped.

function escapeHtml(value) {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/**
 * The relative way back to the app's root from a request path. Links are relative so the app works
 * unchanged behind API Gateway's stage prefix (https://service-xxx.apigw.tencentcs.com/release/).
 */
function baseHref(path) {
  const depth = path.split('/').length - 2
  return depth > 0 ? '../'.repeat(depth) : './'
}

function page({ path, title, body, script = false }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base href="${baseHref(path)}">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="static/style.css">
</head>
<body>
<header><a href="./" class="brand"><img src="static/logo.png" width="32" height="32" alt="">scf-bridge example</a></header>
<main>
${body}
</main>
${script ? '<script src="static/app.js" defer></script>\n' : ''}</body>
</html>
`
}

function homePage(path, framework) {
  return page({
    path,
    title: `scf-bridge on ${framework}`,
    script: true,
    body: `<h1>Hello from ${escapeHtml(framework)} on Tencent SCF</h1>
<p id="status" class="status">This line changes when the page's script runs.</p>
<p><img id="logo" src="static/logo.png" width="64" height="64" alt="Four coloured squares"></p>

<section>
<h2>JSON API</h2>
<ul id="items"></ul>
<p><a href="api/hello?name=SCF">api/hello</a> · <a href="api/items">api/items</a> · <a href="api/whoami">api/whoami</a></p>
</section>

<section>
<h2>Echo a form</h2>
<form id="echo-form" method="post" action="echo" accept-charset="utf-8">
<label for="text">Text</label>
<textarea id="text" name="text" rows="2"></textarea>
<button type="submit">Send</button>
</form>
</section>

<section>
<h2>Sign in</h2>
<form id="login-form" method="post" action="login" accept-charset="utf-8">
<label for="name">Name</label>
<input id="name" name="name" maxlength="40" required>
<button type="submit">Sign in</button>
</form>
<p id="greeting"></p>
<p><a id="account-link" href="account">Your account</a></p>
</section>

<section>
<h2>Upload a file</h2>
<form id="upload-form" method="post" action="upload" enctype="multipart/form-data">
<input id="file" type="file" name="file">
<button type="submit">Upload</button>
</form>
</section>`,
  })
}

function echoPage(path, text) {
  return page({
    path,
    title: 'Echo',
    body: `<h1>You sent</h1>
<p id="echo" class="echo">${escapeHtml(text)}</p>
<p><a href="./">Back</a></p>`,
  })
}

function signedInPage(path, name) {
  return page({
    path,
    title: 'Signed in',
    body: `<h1>Signed in</h1>
<p>Welcome, <strong id="welcome">${escapeHtml(name)}</strong>. Two cookies were set: <code>session</code> (signed, HttpOnly) and <code>user</code>.</p>
<p><a id="account-link" href="account">Go to your account</a></p>`,
  })
}

function accountPage(path, { session, user }) {
  return page({
    path,
    title: 'Your account',
    body: `<h1>Your account</h1>
<dl>
<dt>Signed-in name (from the signed <code>session</code> cookie)</dt><dd id="session">${escapeHtml(session)}</dd>
<dt>Display name (from the <code>user</code> cookie)</dt><dd id="user">${escapeHtml(user)}</dd>
</dl>
<form method="post" action="logout"><button id="logout" type="submit">Sign out</button></form>`,
  })
}

function signedOutPage(path, heading, message) {
  return page({
    path,
    title: heading,
    body: `<h1>${escapeHtml(heading)}</h1>
<p id="message">${escapeHtml(message)}</p>
<p><a href="./">Home</a></p>`,
  })
}

function notFoundPage(path) {
  return page({
    path,
    title: 'Page not found',
    body: `<h1>Page not found</h1>
<p id="missing">There is nothing at <code>${escapeHtml(path)}</code>.</p>
<p><a href="./">Home</a></p>`,
  })
}

function errorPage(path) {
  return page({
    path,
    title: 'Something went wrong',
    body: '<h1>Something went wrong</h1>\n<p>The error was logged.</p>',
  })
}

module.exports = {
  escapeHtml,
  baseHref,
  page,
  homePage,
  echoPage,
  signedInPage,
  accountPage,
  signedOutPage,
  notFoundPage,
  errorPage,
}
