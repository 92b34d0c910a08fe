'use strict'
// What the app knows about the files in its COS bucket: filled by COS notifications (POST /internal/cos-uploaded)
// and trimmed by the daily timer job (index.js). Kept in memory for the example; a real app keeps it in a database.
const uploads = []

/** The object key of a COS notification: `cosObject.key` is `/<appid>/<bucket>/<key>`. */
function objectKeyOf(record) {
  return record.cos.cosObject.key.split('/').slice(3).join('/')
}

/** Records what a COS event says was created or removed; returns how many records it held. */
function recordCosEvent(event) {
  for (const record of event.Records) {
    const key = objectKeyOf(record)
    const existing = uploads.findIndex((upload) => upload.key === key)
    if (existing !== -1) uploads.splice(existing, 1)
    if (record.event.eventName.startsWith('cos:ObjectCreated')) {
      uploads.push({
        key,
        size: record.cos.cosObject.size,
        type: record.cos.cosObject.meta['Content-Type'] || null,
        at: new Date(record.event.eventTime * 1000).toISOString(),
      })
    }
  }
  return event.Records.length
}

function listUploads() {
  return uploads.slice()
}

/** Forgets uploads recorded before `maxAgeMs` ago; returns how many went and how many stay. */
function purgeUploads(maxAgeMs, now = Date.now()) {
  const before = uploads.length
  const kept = uploads.filter((upload) => Date.parse(upload.at) >= now - maxAgeMs)
  uploads.splice(0, uploads.length, ...kept)
  return { removed: before - kept.length, kept: kept.length }
}

module.exports = { recordCosEvent, listUploads, purgeUploads }
