/*
 * The home page's script. The app's compression middleware serves it gzip-compressed; through SCF
 * the compressed bytes travel base64-encoded in the integrated response and the browser inflates them.
 * When it runs it marks the page, greets a signed-in user from the readable `user` cookie and fills
 * the item list from the JSON API, using relative URLs so it also works under an APIGW stage path.
 */
;(() => {
  'use strict'

  function readCookie(name) {
    const pairs = document.cookie ? document.cookie.split('; ') : []
    for (let i = 0; i < pairs.length; i++) {
      const eq = pairs[i].indexOf('=')
      if (pairs[i].slice(0, eq) === name) {
        try {
          return decodeURIComponent(pairs[i].slice(eq + 1))
        } catch {
          return pairs[i].slice(eq + 1)
        }
      }
    }
    return null
  }

  function showItems(list, items) {
    list.textContent = ''
    items.forEach((item) => {
      const li = document.createElement('li')
      li.textContent = `${item.name}: ${item.description}`
      list.appendChild(li)
    })
    list.setAttribute('data-loaded', String(items.length))
  }

  const status = document.getElementById('status')
  if (status) {
    status.textContent = 'JavaScript ran: this line was written by static/app.js.'
    status.className = 'status ran'
    document.documentElement.setAttribute('data-script', 'ran')
  }

  const greeting = document.getElementById('greeting')
  const user = readCookie('user')
  if (greeting && user) greeting.textContent = `Welcome back, ${user}.`

  const list = document.getElementById('items')
  if (list && window.fetch) {
    fetch('api/items', { headers: { accept: 'application/json' } })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`)
        return response.json()
      })
      .then((items) => {
        showItems(list, items)
      })
      .catch((error) => {
        list.textContent = `Could not load the items: ${error.message}`
      })
  }
})()
