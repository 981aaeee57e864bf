// The agent workspace, live. The server renders every page whole (it works without this script); this script
// adds what a help desk needs to feel instant: one WebSocket to Parley (`/agent/socket`) while any page is open,
// so that chats ring here, lists take new and changed tickets without a reload, and a ticket shows who else has
// it open and who is typing; keyboard shortcuts (Gmail's model); selection and bulk changes; saved responses and
// macros in the composer; drafts that survive a reload; a warning when someone replied meanwhile; dates relative
// to now. Every text comes from the page (the workspace's Fluent texts) and is set as text, never as markup (the
// one exception: a reply's preview, which is the server's sanitized rendering).
(() => {
  'use strict';
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; };
  const textsEl = $('#ws-texts');
  const T = textsEl ? JSON.parse(textsEl.textContent) : {};
  const me = textsEl ? textsEl.dataset.agent : '';
  // A text of the workspace with its {markers} filled.
  const plural = (() => { try { return new Intl.PluralRules(document.documentElement.lang || 'en'); } catch (_) { return null; } })();
  const tr = (id, values = {}) => {
    const key = id.replace(/^ws-/, '');
    const counted = 'count' in values && plural ? T[`${key}#${plural.select(values.count) === 'one' ? 'one' : 'other'}`] : null;
    return (counted || T[key] || id).replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : ''));
  };
  const csrf = () => ($('#csrf') || $('input[name="_csrf"]') || {}).value || '';
  const bar = $('header.bar');
  const prefs = { desktop: bar && bar.dataset.notifyDesktop === 'true', sound: bar && bar.dataset.notifySound === 'true' };

  // The API, as the signed-in agent: the session cookie, and the page's CSRF token for anything that writes.
  async function api(method, path, body) {
    const headers = { 'X-CSRF-Token': csrf() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch('/api/v1' + path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await res.json(); } catch (_) { data = null; }
    return { ok: res.ok, status: res.status, data };
  }
  const problem = (r) => (r.data && (r.data.errors && r.data.errors.length ? r.data.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : r.data.detail)) || String(r.status);

  // ---- Chats ringing, on every page -------------------------------------------------------------------------
  const offers = el('section', 'offers');
  offers.setAttribute('aria-label', 'Incoming chats');
  offers.setAttribute('aria-live', 'assertive');
  document.body.append(offers);
  const presence = $('select[name="status"][data-presence]');
  const convo = $('[data-conversation]');
  const shown = new Map();
  let ws = null, failures = 0;
  // What the agent chose before the socket opened (presence, the ticket they view) goes as soon as it does.
  let waiting = [];
  const send = (frame) => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    else if (frame.type === 'presence') waiting = waiting.filter((f) => f.type !== 'presence').concat([frame]);
  };
  const typingLine = convo ? el('p', 'muted typing') : null;
  let typingTimer = null;
  if (convo) { typingLine.setAttribute('aria-live', 'polite'); convo.insertBefore(typingLine, $('form.reply', convo)); }

  function notify(title) {
    if (prefs.sound) beep();
    if (prefs.desktop && 'Notification' in window && Notification.permission === 'granted' && document.hidden) {
      try { new Notification(title); } catch (_) { /* some browsers allow notifications from service workers only */ }
    }
  }
  function beep() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const o = ctx.createOscillator(); const g = ctx.createGain();
      o.frequency.value = 880; g.gain.value = 0.05; o.connect(g); g.connect(ctx.destination);
      o.start(); o.stop(ctx.currentTime + 0.15);
    } catch (_) { /* no audio: nothing to do */ }
  }

  function offer(f) {
    if (shown.has(f.conversation_id)) return;
    const box = el('div', 'offer');
    box.append(el('strong', null, `Chat #${f.number}`), el('span', null, ' ' + f.subject + ' '));
    const accept = el('button', null, 'Accept');
    accept.type = 'button';
    accept.addEventListener('click', () => { box.dataset.number = f.number; send({ type: 'accept', conversation_id: f.conversation_id }); });
    const decline = el('button', 'link', 'Decline');
    decline.type = 'button';
    decline.addEventListener('click', () => send({ type: 'decline', conversation_id: f.conversation_id }));
    box.append(accept, decline);
    shown.set(f.conversation_id, box);
    offers.append(box);
    notify(`Chat #${f.number}: ${f.subject}`);
  }
  function withdraw(id) { const b = shown.get(id); if (b) { b.remove(); shown.delete(id); } }
  function note(text) { const n = el('p', 'offer error', text); offers.append(n); setTimeout(() => n.remove(), 6000); }

  function chatEvent(id, e) {
    if (!convo || convo.dataset.conversation !== id) return;
    const form = $('form.reply', convo);
    let item;
    if (e.type === 'message') {
      if (document.getElementById('m-' + e.message_id)) return;
      item = el('article', 'message via-chat ' + (e.author.type === 'visitor' ? 'customer' : 'agent'));
      item.id = 'm-' + e.message_id;
      // Shown here as it came: the agent has seen it, so a reply is not held back for it.
      const after = $('input[data-after]');
      if (after) after.value = e.message_id;
      const head = el('header');
      head.append(el('strong', null, e.author.type === 'visitor' ? convo.dataset.requester : (e.author.name || 'Parley')));
      item.append(head, el('div', 'body', e.body));
      if (e.files && e.files.length) {
        const list = el('ul', 'files');
        e.files.forEach((f) => {
          const a = el('a', null, f.name);
          a.href = '/attachments/' + encodeURIComponent(f.id);
          a.setAttribute('download', '');
          const li = el('li');
          li.append(a, el('span', 'muted', f.size < 1024 ? ` ${f.size} B` : ` ${Math.round(f.size / 1024)} KB`));
          list.append(li);
        });
        item.append(list);
      }
    } else {
      const what = { agent_joined: `${e.name} joined the chat`, agent_left: `${e.name} left the chat`, chat_ended: 'The chat ended' }[e.type];
      if (!what || document.getElementById('e-' + e.seq)) return;
      item = el('p', 'event', what);
      item.id = 'e-' + e.seq;
    }
    convo.insertBefore(item, form);
  }

  // ---- The ticket page: who else is here, drafts, saved responses, replied meanwhile, in-place changes ---------
  const ticketPage = $('[data-ticket-id]');
  const ticketId = ticketPage && ticketPage.dataset.ticketId;
  const composer = $('form[data-composer]');
  const body = composer && $('textarea[data-body]', composer);
  const internal = composer && $('input[data-internal]', composer);
  const collision = $('[data-collision]');

  function showViewers(list) {
    if (!collision) return;
    const others = list.filter((v) => v.agent_id !== me);
    const parts = [];
    if (others.length) parts.push(tr('ws-viewing', { names: others.map((v) => v.name).join(', ') }));
    others.filter((v) => v.composing).forEach((v) => parts.push(tr(v.composing === 'note' ? 'ws-typing-note' : 'ws-typing-reply', { name: v.name })));
    collision.textContent = parts.join(' · ');
    collision.classList.toggle('active', others.length > 0);
  }

  const draftKey = ticketId ? 'parley-draft:' + ticketId : null;
  const draftState = composer && $('[data-draft-state]', composer);
  function saveDraft() {
    if (!draftKey || !body) return;
    const d = { body: body.value, internal: !!(internal && internal.checked) };
    if (d.body.trim()) { localStorage.setItem(draftKey, JSON.stringify(d)); if (draftState) draftState.textContent = tr('ws-draft-kept'); }
    else localStorage.removeItem(draftKey);
  }
  function restoreDraft() {
    if (!draftKey || !body) return;
    let d = null;
    try { d = JSON.parse(localStorage.getItem(draftKey) || 'null'); } catch (_) { d = null; }
    if (!d || !d.body || body.value.trim()) return; // a reply the server kept comes first
    // A draft already in the timeline was sent: it is done.
    const sent = $$('.timeline .message .body').some((b) => b.textContent.trim() === d.body.trim());
    if (sent) { localStorage.removeItem(draftKey); return; }
    body.value = d.body;
    if (internal) internal.checked = !!d.internal;
    setMode();
    if (draftState) draftState.textContent = tr('ws-draft-kept');
  }
  function setMode() {
    if (!composer) return;
    const noteMode = internal && internal.checked;
    composer.classList.toggle('note-mode', !!noteMode);
    const label = $('[data-body-label]', composer);
    if (label) label.textContent = tr(noteMode ? 'ws-note-label' : 'ws-reply');
    // A note goes to nobody, so it copies nobody.
    [$('[data-cc-field]', composer), $('#cc-hint', composer)].forEach((x) => { if (x) x.style.display = noteMode ? 'none' : ''; });
  }

  let saidComposing = 0;
  if (body) {
    body.addEventListener('input', () => {
      saveDraft();
      const noteMode = internal && internal.checked;
      if (Date.now() - saidComposing > 2000) {
        saidComposing = Date.now();
        send({ type: 'composing', ticket_id: ticketId, mode: noteMode ? 'note' : 'reply' });
        // A note is not for the visitor's eyes, nor is writing one.
        if (convo && !noteMode) send({ type: 'typing', conversation_id: convo.dataset.conversation });
      }
      cannedFromShortcut();
    });
    if (internal) internal.addEventListener('change', () => { setMode(); saveDraft(); });
    // Ctrl+Enter (⌘+Enter) sends from the reply box, as in other desks.
    body.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); composer.requestSubmit(); }
    });
    restoreDraft();
  }

  // Saved responses: searched by title or #shortcut in the box above the reply, or typed as #shortcut then a
  // space in the reply itself; inserted filled in for this ticket (placeholders are the server's to fill).
  const cannedBox = composer && $('input[data-canned]', composer);
  const cannedList = composer && $('[data-canned-list]', composer);
  let cannedItems = [];
  async function cannedSearch(q) {
    const r = await api('GET', '/canned-responses?q=' + encodeURIComponent(q));
    return r.ok && r.data ? (r.data.canned_responses || r.data.items || []) : [];
  }
  async function insertCanned(c, replacing) {
    const r = await api('GET', `/tickets/${ticketId}/canned-responses/${c.id}/render`);
    const text = r.ok && r.data ? r.data.body : c.body;
    if (replacing) body.value = body.value.replace(replacing, text);
    else {
      const at = body.selectionStart || body.value.length;
      body.value = body.value.slice(0, at) + text + body.value.slice(at);
    }
    body.focus();
    saveDraft();
    if (cannedList) { cannedList.hidden = true; cannedBox.setAttribute('aria-expanded', 'false'); }
  }
  function drawCanned(items) {
    cannedItems = items;
    cannedList.textContent = '';
    if (!items.length) { cannedList.append(el('li', 'muted', tr('ws-no-canned'))); }
    items.forEach((c, i) => {
      const li = el('li', null, c.title + (c.shortcut ? `  #${c.shortcut}` : ''));
      li.id = 'canned-' + i;
      li.setAttribute('role', 'option');
      li.addEventListener('mousedown', (ev) => { ev.preventDefault(); insertCanned(c); });
      cannedList.append(li);
    });
    cannedList.hidden = false;
    cannedBox.setAttribute('aria-expanded', 'true');
  }
  let cannedActive = -1;
  if (cannedBox) {
    let timer = null;
    cannedBox.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => { cannedActive = -1; drawCanned(await cannedSearch(cannedBox.value.replace(/^#/, ''))); }, 150);
    });
    cannedBox.addEventListener('keydown', (ev) => {
      if (cannedList.hidden) return;
      const opts = $$('[role="option"]', cannedList);
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        cannedActive = Math.max(0, Math.min(opts.length - 1, cannedActive + (ev.key === 'ArrowDown' ? 1 : -1)));
        opts.forEach((o, i) => o.setAttribute('aria-selected', String(i === cannedActive)));
        cannedBox.setAttribute('aria-activedescendant', opts[cannedActive] ? opts[cannedActive].id : '');
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        const c = cannedItems[cannedActive >= 0 ? cannedActive : 0];
        if (c) insertCanned(c);
      } else if (ev.key === 'Escape') { cannedList.hidden = true; cannedBox.setAttribute('aria-expanded', 'false'); }
    });
    cannedBox.addEventListener('blur', () => setTimeout(() => { cannedList.hidden = true; cannedBox.setAttribute('aria-expanded', 'false'); }, 200));
  }
  // `#shortcut` followed by a space or a line break, typed in the reply.
  async function cannedFromShortcut() {
    const m = /(^|\s)#([\p{L}\p{N}_-]{2,40})(\s)$/u.exec(body.value.slice(0, body.selectionStart));
    if (!m) return;
    const items = await cannedSearch(m[2]);
    const hit = items.find((c) => (c.shortcut || '').toLowerCase() === m[2].toLowerCase());
    if (hit) await insertCanned(hit, '#' + m[2] + m[3]);
  }

  // Markdown preview: rendered by the server, exactly as the reply will be stored and mailed (sanitized there,
  // typed HTML shown as text), so it is the one piece of markup this script puts in a page.
  const previewToggle = composer && $('[data-preview-toggle]', composer);
  const preview = composer && $('[data-preview]', composer);
  if (previewToggle && preview) {
    previewToggle.addEventListener('click', async () => {
      const open = preview.hidden;
      if (open) {
        const r = await api('POST', '/messages/preview', { body: body.value });
        if (!r.ok) { note(problem(r)); return; }
        preview.innerHTML = r.data.html;
      }
      preview.hidden = !open;
      previewToggle.setAttribute('aria-expanded', String(open));
      previewToggle.textContent = tr(open ? 'ws-preview-edit' : 'ws-preview');
    });
    body.addEventListener('input', () => { if (!preview.hidden) { preview.hidden = true; previewToggle.setAttribute('aria-expanded', 'false'); previewToggle.textContent = tr('ws-preview'); } });
  }

  // Sending goes through the API so that a reply written while someone else answered is held back: the agent
  // reads what came, then sends anyway or edits. Without the script the form posts as it is.
  const meanwhile = composer && $('[data-meanwhile]', composer);
  async function sendReply(force) {
    const after = $('input[data-after]', composer).value;
    const payload = { body: body.value, internal: !!(internal && internal.checked) };
    if (after && !force) payload.after_message_id = after;
    const cc = $('input[name="cc"]', composer);
    if (cc && cc.value.trim() && !payload.internal) payload.cc = cc.value.split(/[\s,;]+/).filter(Boolean);
    const picker = $('input[name="files"]', composer);
    const files = picker ? Array.from(picker.files) : [];
    let r;
    if (files.length) {
      // Files go as a multipart form: the message as JSON in one part, each file in an `attachments` part.
      const limit = Number(composer.dataset.maxFileBytes || 0);
      const total = files.reduce((n, f) => n + f.size, 0);
      if (limit && total > limit) { note(tr('ws-files-too-big', { count: Math.floor(limit / 1048576) })); return; }
      const form = new FormData();
      form.append('message', new Blob([JSON.stringify(payload)], { type: 'application/json' }));
      files.forEach((f) => form.append('attachments', f, f.name));
      const res = await fetch(`/api/v1/tickets/${ticketId}/messages`, { method: 'POST', headers: { 'X-CSRF-Token': csrf() }, credentials: 'same-origin', body: form });
      let data = null;
      try { data = await res.json(); } catch (_) { data = null; }
      r = { ok: res.ok, status: res.status, data };
    } else {
      r = await api('POST', `/tickets/${ticketId}/messages`, payload);
    }
    if (r.status === 409 && r.data && r.data.code === 'replied_meanwhile') {
      showMeanwhile(r.data);
      return;
    }
    if (!r.ok) { note(problem(r)); return; }
    const then = $('select[name="then_status"]', composer);
    if (then && then.value) await api('PATCH', `/tickets/${ticketId}`, { status: then.value });
    localStorage.removeItem(draftKey);
    location.reload();
  }
  function showMeanwhile(p) {
    const news = p.messages || [];
    // Authors are ids in the answer; the page knows the agents' names (the assignee list) and the requester's.
    const names = new Map($$('form[data-details] select[name="assignee"] option').map((o) => [o.value, o.textContent]));
    const nameOf = (a) => (!a ? '' : a.type === 'agent' ? (names.get(a.id) || '') : a.type === 'contact' ? (($('.requester-card strong') || {}).textContent || '') : '');
    const who = news.map((m) => nameOf(m.author)).filter(Boolean);
    meanwhile.textContent = '';
    meanwhile.append(el('p', null, tr('ws-replied-meanwhile', { who: who.length ? Array.from(new Set(who)).join(', ') : '…' })));
    news.forEach((m) => meanwhile.append(el('blockquote', null, m.body || '')));
    const go = el('button', null, tr('ws-send-anyway')); go.type = 'button';
    go.addEventListener('click', () => sendReply(true));
    const read = el('button', 'secondary', tr('ws-read-first')); read.type = 'button';
    read.addEventListener('click', () => { saveDraft(); location.reload(); });
    meanwhile.append(go, document.createTextNode(' '), read);
    meanwhile.hidden = false;
    go.focus();
  }
  if (composer && ticketId) {
    composer.addEventListener('submit', (ev) => {
      if (!body.value.trim()) return;
      ev.preventDefault();
      saveDraft();
      sendReply(!!(ev.submitter && ev.submitter.name === 'force'));
    });
  }

  // Details change in place: each field is saved as it changes; the Update button still posts the form.
  const details = $('form[data-details]');
  if (details && ticketId) {
    const saved = $('[data-saved]', details);
    const field = { status: 'status', priority: 'priority', assignee: 'assignee_id', department: 'department_id' };
    Object.keys(field).forEach((name) => {
      const s = $(`[name="${name}"]`, details);
      if (!s) return;
      s.addEventListener('change', async () => {
        const r = await api('PATCH', `/tickets/${ticketId}`, { [field[name]]: s.value === '' ? null : s.value });
        saved.textContent = r.ok ? tr('ws-saved') : problem(r);
      });
    });
    const tags = $('[name="tags"]', details);
    if (tags) tags.addEventListener('change', async () => {
      const list = tags.value.split(',').map((x) => x.trim()).filter(Boolean);
      const r = await api('PATCH', `/tickets/${ticketId}`, { tags: list });
      saved.textContent = r.ok ? tr('ws-saved') : problem(r);
    });
    const mine = $('[data-assign-me]', details);
    if (mine) mine.addEventListener('click', () => { const a = $('[name="assignee"]', details); a.value = mine.dataset.assignMe; a.dispatchEvent(new Event('change')); });
  }

  // Macros: listed once, applied to this ticket (or, on a list, to the selection).
  async function loadMacros(select) {
    const r = await api('GET', '/macros');
    const items = r.ok && r.data ? (r.data.macros || r.data.items || []) : [];
    items.forEach((m) => { const o = el('option', null, m.title); o.value = m.id; select.append(o); });
    return items.length;
  }
  const macroBox = $('[data-macro-box]');
  if (macroBox && ticketId) {
    const select = $('select[data-macro]', macroBox);
    loadMacros(select).then((n) => { macroBox.hidden = n === 0; });
    $('[data-apply-macro]', macroBox).addEventListener('click', async () => {
      if (!select.value) return;
      const r = await api('POST', `/tickets/${ticketId}/macros/${select.value}`);
      if (r.ok) location.reload(); else note(problem(r));
    });
  }
  const printBtn = $('[data-print]');
  if (printBtn) printBtn.addEventListener('click', () => window.print());

  // ---- Lists: selection, bulk changes, live rows -----------------------------------------------------------
  const table = $('table[data-list]');
  const tbody = table && $('tbody', table);
  const bulk = $('form[data-bulk]');
  let lastPicked = null;
  // "Select all in this view": the ids of the whole view (up to the bulk limit), read page by page from the API;
  // any change of the selection by hand goes back to the boxes.
  let viewIds = null;
  const BULK_LIMIT = 1000;
  const picked = () => $$('input[data-select]:checked', tbody || document);
  const pickedIds = () => viewIds || picked().map((x) => x.value);
  const selectView = $('[data-select-view]');
  function drawSelection() {
    if (!bulk) return;
    const n = pickedIds().length;
    bulk.hidden = n === 0;
    $('[data-selected-count]', bulk).textContent = tr('ws-selected', { count: n });
    $$('tr[data-ticket]', tbody).forEach((tr_) => tr_.classList.toggle('picked', $('input[data-select]', tr_).checked));
    if (!selectView) return;
    const boxes = $$('input[data-select]', tbody);
    const whole = $('[data-select-view-all]', selectView);
    const more = whole && Number(whole.dataset.total) > boxes.length;
    const pageAll = boxes.length > 0 && boxes.every((x) => x.checked);
    selectView.hidden = !(more && (pageAll || viewIds));
    if (viewIds) {
      $('[data-select-view-state]', selectView).textContent = tr('ws-select-view-done', { count: viewIds.length });
      whole.hidden = true;
    } else if (more) {
      $('[data-select-view-state]', selectView).textContent = tr('ws-select-page-done', { count: boxes.length });
      whole.hidden = false;
    }
  }
  async function readWholeView() {
    const ids = [];
    let after = null;
    const sort = table.dataset.sort;
    do {
      const q = `page[size]=100${sort ? '&sort=' + encodeURIComponent(sort) : ''}${after ? '&page[after]=' + encodeURIComponent(after) : ''}`;
      const r = await api('GET', `/views/${encodeURIComponent(table.dataset.list)}/tickets?${q}`);
      if (!r.ok) { $('[data-bulk-result]').textContent = problem(r); return null; }
      (r.data.tickets || []).forEach((t) => { if (ids.length < BULK_LIMIT) ids.push(t.id); });
      after = r.data.meta && r.data.meta.has_more ? r.data.meta.after_cursor : null;
    } while (after && ids.length < BULK_LIMIT);
    return ids;
  }
  if (selectView) {
    const whole = $('[data-select-view-all]', selectView);
    if (whole) whole.addEventListener('click', async () => {
      whole.disabled = true;
      const ids = await readWholeView();
      whole.disabled = false;
      if (!ids) return;
      viewIds = ids;
      drawSelection();
    });
  }
  if (tbody) {
    tbody.addEventListener('click', (ev) => {
      const box = ev.target.closest('input[data-select]');
      if (!box) return;
      viewIds = null;
      // Shift-click picks the range from the last box clicked.
      const boxes = $$('input[data-select]', tbody);
      if (ev.shiftKey && lastPicked && lastPicked !== box) {
        const [a, b] = [boxes.indexOf(lastPicked), boxes.indexOf(box)].sort((x, y) => x - y);
        boxes.slice(a, b + 1).forEach((x) => { x.checked = box.checked; });
      }
      lastPicked = box;
      drawSelection();
    });
    const all = $('input[data-select-all]', table);
    if (all) all.addEventListener('change', () => { viewIds = null; $$('input[data-select]', tbody).forEach((x) => { x.checked = all.checked; }); drawSelection(); });
  }
  if (bulk) {
    const macroSelect = $('select[data-macros]', bulk);
    if (macroSelect) loadMacros(macroSelect);
    const result = $('[data-bulk-result]');
    // One action per request, as the API takes it: a macro, spam, or field changes.
    async function runBulk(extra) {
      const ids = pickedIds();
      if (!ids.length) return;
      const changes = Object.assign({}, extra.changes || {});
      $$('[data-bulk-field]', bulk).forEach((f) => {
        const k = f.dataset.bulkField;
        if (!f.value || k === 'macro_id' || extra.changes) return;
        if (k === 'add_tags' || k === 'remove_tags') changes[k] = f.value.split(',').map((x) => x.trim()).filter(Boolean);
        else if (k === 'assignee_id' || k === 'department_id') changes[k] = f.value === 'none' ? null : f.value;
        else changes[k] = f.value;
      });
      const macro = macroSelect && macroSelect.value;
      // Merging names its target by number; it must be one of the rows shown (the list knows their ids).
      const mergeBox = $('[data-bulk-merge]', bulk);
      const into = mergeBox && mergeBox.value.trim().replace(/^#/, '');
      let req;
      if (into && !extra.spam && !extra.changes) {
        const target = tbody && $(`tr[data-number="${CSS.escape(into)}"]`, tbody);
        if (!target) { result.textContent = tr('ws-bulk-merge-unlisted', { number: into }); return; }
        req = { ids: ids.filter((x) => x !== target.dataset.ticket), merge_into: target.dataset.ticket };
      } else if (extra.spam) req = { ids, spam: true };
      else if (macro && !extra.changes) req = { ids, macro_id: macro };
      else if (Object.keys(changes).length) req = { ids, changes };
      else return;
      const r = await api('POST', '/tickets/bulk', req);
      if (!r.ok) { result.textContent = problem(r); return; }
      const failed = r.data.failed || [];
      const lines = [tr('ws-bulk-done', { count: (r.data.updated || []).length })];
      failed.forEach((f) => {
        const row = tbody && $(`tr[data-ticket="${f.id}"]`, tbody);
        lines.push(tr('ws-bulk-failed', { number: row ? row.dataset.number : f.id, reason: f.detail || f.code }));
      });
      result.textContent = lines.join(' ');
      $$('[data-bulk-field], [data-bulk-merge]', bulk).forEach((f) => { f.value = ''; });
      picked().forEach((x) => { x.checked = false; });
      viewIds = null;
      const all = table && $('input[data-select-all]', table);
      if (all) all.checked = false;
      drawSelection();
    }
    bulk.addEventListener('click', (ev) => {
      const b = ev.target.closest('[data-bulk-action]');
      if (!b) return;
      const a = b.dataset.bulkAction;
      if (a === 'clear') { viewIds = null; picked().forEach((x) => { x.checked = false; }); drawSelection(); }
      else if (a === 'assign_me') runBulk({ changes: { assignee_id: me } });
      else if (a === 'spam') runBulk({ spam: true });
      else runBulk({});
    });
    bulk.addEventListener('submit', (ev) => { ev.preventDefault(); runBulk({}); });
  }

  // Which built-in view a ticket belongs in, by the same rules the server lists them with.
  const OPEN = ['new', 'open'];
  const VIEW_RULES = {
    my_open: (t) => OPEN.includes(t.status) && t.assignee_id === me,
    unassigned: (t) => OPEN.includes(t.status) && !t.assignee_id,
    all_open: (t) => OPEN.includes(t.status),
    open: (t) => OPEN.includes(t.status),
    new: (t) => t.status === 'new',
    pending: (t) => t.status === 'pending',
    solved: (t) => t.status === 'resolved' || t.status === 'closed',
    chats_waiting: (t) => t.channel === 'chat' && OPEN.includes(t.status) && !t.assignee_id,
    chats_active: (t) => t.channel === 'chat' && OPEN.includes(t.status) && !!t.assignee_id,
    all: () => true,
  };
  const view = table ? table.dataset.list : null;
  const rowTemplate = $('template[data-row-template]');
  const agentNames = new Map();
  if (bulk) $$('select[data-bulk-field="assignee_id"] option', bulk).forEach((o) => agentNames.set(o.value, o.textContent));

  const departmentNames = (() => { try { return JSON.parse((table && table.dataset.departments) || '{}'); } catch (_) { return {}; } })();
  // Fill a row from a ticket as the API gives it; a view shows only its own columns, so each cell may be absent.
  async function fillRow(row, t) {
    row.dataset.ticket = t.id;
    row.dataset.number = t.number;
    row.dataset.version = t.version;
    $('input[data-select]', row).value = t.id;
    $('input[data-select]', row).setAttribute('aria-label', tr('ws-select-row', { number: t.number }));
    const cell = (f) => $(`[data-f="${f}"]`, row);
    if (cell('number')) cell('number').textContent = t.number;
    const link = cell('subject');
    if (link) { link.textContent = t.subject; link.href = '/tickets/' + t.number; }
    const st = cell('status');
    if (st) { st.textContent = tr('ws-status-' + t.status); st.className = 'pill status-' + t.status; st.dataset.value = t.status; }
    const pr = cell('priority');
    if (pr) { pr.textContent = tr('ws-priority-' + t.priority); pr.className = 'pill priority-' + t.priority; pr.dataset.value = t.priority; }
    if (cell('assignee')) cell('assignee').textContent = t.assignee_id ? (agentNames.get(t.assignee_id) || '') : '';
    if (cell('department')) cell('department').textContent = t.department_id ? (departmentNames[t.department_id] || '') : '';
    if (cell('channel')) cell('channel').textContent = t.channel ? tr('ws-channel-' + t.channel) : '';
    if (cell('tags')) {
      cell('tags').replaceChildren(...(t.tags || []).flatMap((g) => [el('span', 'tag', g), document.createTextNode(' ')]));
    }
    for (const [f, at] of [['updated', t.updated_at], ['created', t.created_at]]) {
      const when = cell(f);
      if (!when || !at) continue;
      when.setAttribute('datetime', at);
      when.title = new Date(at).toLocaleString(document.documentElement.lang, { timeZone: zone() });
      relative(when);
    }
    if (t.requester && cell('requester')) cell('requester').textContent = t.requester;
  }
  async function liveTicket(change, t) {
    if (!tbody || !view) return;
    const row = $(`tr[data-ticket="${t.id}"]`, tbody);
    const rule = VIEW_RULES[view] || (view.startsWith('department:') ? ((x) => OPEN.includes(x.status) && x.department_id === view.slice(11)) : null);
    if (row && Number(row.dataset.version) > Number(t.version)) return; // older news than the row shows
    if (!rule) { const n = $('[data-new-rows]'); if (n) n.hidden = false; return; }
    const belongs = change !== 'removed' && rule(t);
    if (row && !belongs) { row.remove(); }
    else if (row) { await fillRow(row, t); tbody.prepend(row); }
    else if (belongs && rowTemplate) {
      const fresh = rowTemplate.content.firstElementChild.cloneNode(true);
      if (!t.requester) {
        const r = await api('GET', '/tickets/' + t.id);
        if (r.ok && r.data.requester) t.requester = r.data.requester.name || r.data.requester.email || '';
      }
      if ($(`tr[data-ticket="${t.id}"]`, tbody)) return; // arrived twice meanwhile
      await fillRow(fresh, t);
      fresh.classList.add('arrived');
      tbody.prepend(fresh);
    }
    table.hidden = !$('tr[data-ticket]', tbody);
    const empty = $('[data-empty]');
    if (empty) empty.hidden = !table.hidden;
    refreshCounts();
  }

  // Who has each listed ticket open, read for the rows shown every 15 seconds (one question for the page).
  async function listViewers() {
    if (!tbody) return;
    const rows = $$('tr[data-ticket]', tbody).filter((r) => r.dataset.ticket);
    if (!rows.length) return;
    const r = await api('GET', '/viewers?tickets=' + rows.slice(0, 100).map((x) => x.dataset.ticket).join(','));
    if (!r.ok || !r.data) return;
    const by = new Map((r.data.tickets || []).map((t) => [t.ticket_id, t.viewers || []]));
    rows.forEach((row) => {
      const cell = $('[data-viewers]', row);
      if (!cell) return;
      const others = (by.get(row.dataset.ticket) || []).filter((v) => v.agent_id !== me);
      cell.textContent = others.length ? tr('ws-viewing', { names: others.map((v) => v.name).join(', ') }) : '';
      cell.classList.toggle('active', others.length > 0);
    });
  }
  if (tbody) { listViewers(); setInterval(listViewers, 15000); }

  // View counts in the left column, read again (at most every two seconds) when tickets change.
  let countsTimer = null;
  function refreshCounts() {
    if (countsTimer) return;
    countsTimer = setTimeout(async () => {
      countsTimer = null;
      const r = await api('GET', '/views');
      if (!r.ok || !r.data) return;
      (r.data.views || []).forEach((v) => {
        $$(`[data-count="${v.id}"]`).forEach((c) => { c.textContent = v.count == null ? '' : (v.capped ? v.count + '+' : String(v.count)); });
      });
    }, 2000);
  }
  if ($('nav.views')) refreshCounts();

  // ---- Dates: relative, the exact time (in the agent's zone) on hover ----------------------------------------
  const zone = () => (bar && bar.dataset.timeZone) || undefined;
  const rtf = (() => { try { return new Intl.RelativeTimeFormat(document.documentElement.lang || 'en', { numeric: 'auto' }); } catch (_) { return null; } })();
  function relative(t) {
    const at = Date.parse(t.getAttribute('datetime'));
    if (!rtf || Number.isNaN(at)) return;
    if (!t.title) t.title = t.textContent;
    const s = Math.round((at - Date.now()) / 1000);
    const a = Math.abs(s);
    const [n, unit] = a < 60 ? [s, 'second'] : a < 3600 ? [Math.round(s / 60), 'minute'] : a < 86400 ? [Math.round(s / 3600), 'hour'] : a < 2592000 ? [Math.round(s / 86400), 'day'] : [null, null];
    if (unit) t.textContent = rtf.format(n, unit);
  }
  const relativeAll = () => $$('time[datetime]').forEach(relative);
  relativeAll();
  setInterval(relativeAll, 60000);

  // ---- Keyboard shortcuts ---------------------------------------------------------------------------------
  const KEYS = [['j', 'ws-shortcut-next'], ['k', 'ws-shortcut-prev'], ['o / Enter', 'ws-shortcut-open'], ['x', 'ws-shortcut-select'],
    ['r', 'ws-shortcut-reply'], ['Ctrl+Enter', 'ws-shortcut-send'], ['n', 'ws-shortcut-note'], ['a', 'ws-shortcut-assign'], ['s', 'ws-shortcut-status'],
    ['/', 'ws-shortcut-search'], ['?', 'ws-shortcut-help'], ['Esc', 'ws-shortcut-back']];
  let help = null;
  function showHelp() {
    if (!help) {
      help = el('dialog', 'shortcuts');
      help.setAttribute('aria-labelledby', 'shortcuts-h');
      const h = el('h2', null, tr('ws-shortcuts')); h.id = 'shortcuts-h';
      const dl = el('dl');
      KEYS.forEach(([k, id]) => { dl.append(el('dt', null, k), el('dd', null, tr(id))); });
      const close = el('button', null, tr('ws-close')); close.type = 'button';
      close.addEventListener('click', () => help.close());
      help.append(h, dl, close);
      document.body.append(help);
    }
    help.showModal();
  }
  const rows = () => (tbody ? $$('tr[data-ticket]', tbody) : []);
  let cursor = -1;
  function moveCursor(d) {
    const list = rows();
    if (!list.length) return;
    cursor = Math.max(0, Math.min(list.length - 1, cursor + d));
    list.forEach((r, i) => r.classList.toggle('cursor', i === cursor));
    const link = $('[data-f="subject"]', list[cursor]);
    if (link) link.focus();
  }
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const typing = ev.target.closest('input, textarea, select, [contenteditable="true"]');
    if (ev.key === 'Escape') {
      if (help && help.open) return; // the dialog closes itself
      if (typing) { ev.target.blur(); return; }
      if (ticketPage) { location.href = ($('[data-back]') || {}).href || '/tickets'; }
      return;
    }
    if (typing) return;
    const k = ev.key;
    const act = {
      'j': () => moveCursor(1),
      'k': () => moveCursor(-1),
      'o': () => { const r = rows()[cursor]; if (r) location.href = '/tickets/' + r.dataset.number; },
      'x': () => { const r = rows()[cursor]; if (r) { const b = $('input[data-select]', r); b.checked = !b.checked; lastPicked = b; drawSelection(); } },
      'r': () => { if (body) { if (internal) internal.checked = false; setMode(); body.focus(); } },
      'n': () => { if (body) { if (internal) internal.checked = true; setMode(); body.focus(); } },
      'a': () => { const b = $('[data-assign-me]'); if (b) b.click(); else if (bulk && picked().length) runAssignMe(); },
      's': () => { const s = $('form[data-details] select[name="status"]'); if (s) s.focus(); },
      '/': () => { const s = $('input[data-search]'); if (s) s.focus(); },
      '?': () => showHelp(),
    }[k];
    if (k === 'Enter' && tbody && cursor >= 0 && !ev.target.closest('a, button') && rows()[cursor]) {
      location.href = '/tickets/' + rows()[cursor].dataset.number;
      return;
    }
    if (act) { ev.preventDefault(); act(); }
  });
  function runAssignMe() { const b = bulk && $('[data-bulk-action="assign_me"]', bulk); if (b) b.click(); }

  // ---- The socket -----------------------------------------------------------------------------------------
  let viewersShown = [];
  function connect() {
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/agent/socket');
    ws.onopen = () => {
      failures = 0;
      if (ticketId) send({ type: 'viewing', ticket_id: ticketId });
      const queued = waiting;
      waiting = [];
      queued.forEach(send);
    };
    ws.onmessage = (m) => {
      const f = JSON.parse(m.data);
      if (f.type === 'ready') document.documentElement.dataset.live = 'on'; // the page hears the account from now on
      if (f.type === 'offer') offer(f);
      else if (f.type === 'offer_withdrawn') withdraw(f.conversation_id);
      else if ((f.type === 'presence' || f.type === 'ready') && presence) presence.value = (f.presence || f).status;
      else if (f.type === 'chat') { chatEvent(f.conversation_id, f.event); if (typingLine && f.conversation_id === convo.dataset.conversation) typingLine.textContent = ''; }
      else if (f.type === 'typing' && typingLine && f.conversation_id === convo.dataset.conversation) {
        typingLine.textContent = (f.who === 'visitor' ? convo.dataset.requester : f.name) + ' is typing…';
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typingLine.textContent = ''; }, 5000);
      }
      else if (f.type === 'ticket') {
        liveTicket(f.change, f.ticket);
        if (f.change !== 'removed' && f.ticket.assignee_id === me && f.previous_assignee_id !== me && f.change === 'updated') {
          notify(tr('ws-ticket-assigned', { number: f.ticket.number }));
        }
      }
      else if (f.type === 'viewers' && f.ticket_id === ticketId) { viewersShown = f.viewers || []; showViewers(viewersShown); }
      else if (f.type === 'done' && f.action === 'accept') {
        const box = shown.get(f.conversation_id);
        if (box && box.dataset.number) location.href = '/tickets/' + box.dataset.number;
      } else if (f.type === 'done' && convo) location.reload();
      else if (f.type === 'resync' && (convo || table)) location.reload();
      else if (f.type === 'error') note(f.detail);
    };
    ws.onclose = () => {
      ws = null;
      delete document.documentElement.dataset.live;
      failures += 1;
      setTimeout(connect, Math.min(30000, 500 * 2 ** failures));
    };
  }
  if (presence) presence.addEventListener('change', () => send({ type: 'presence', status: presence.value }));
  const picker = $('input[type="file"][data-chat-file]');
  if (picker) picker.addEventListener('change', async () => {
    const file = picker.files && picker.files[0];
    picker.value = '';
    if (!file) return;
    const number = ticketPage ? ticketPage.dataset.ticketNumber : location.pathname.split('/').pop();
    const id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
    const q = `client_id=${encodeURIComponent(id)}&name=${encodeURIComponent(file.name)}`;
    const res = await fetch(`/tickets/${number}/files?${q}`, { method: 'POST', body: file, credentials: 'same-origin',
      headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-CSRF-Token': csrf() } });
    if (!res.ok) note(`${file.name} was not shared (${res.status})`);
  });
  $$('[data-chat-action]').forEach((b) => b.addEventListener('click', () => {
    const id = convo && convo.dataset.conversation;
    if (!id) return;
    if (b.dataset.chatAction === 'transfer') {
      const to = $('select[name="transfer_to"]').value;
      if (to) send({ type: 'transfer', conversation_id: id, agent_id: to });
    } else send({ type: b.dataset.chatAction, conversation_id: id });
  }));
  // Desktop notifications need the browser's permission, asked when the agent turns them on.
  const wantNotify = $('input[data-notify-permission]');
  if (wantNotify) wantNotify.addEventListener('change', () => { if (wantNotify.checked && 'Notification' in window) Notification.requestPermission(); });
  connect();
})();
