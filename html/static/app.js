/* Chatbot WhatsApp — progressive enhancements only. Every page works without this file. */
(function () {
  'use strict';

  var FLASH_DELAY_MS = 6000;
  var lastSubmitter = null;

  /* (a) Confirmation before submitting: form[data-confirm] or button[data-confirm]. */
  function initConfirm() {
    // Remember which button was used (fallback for browsers without SubmitEvent.submitter).
    document.addEventListener('click', function (e) {
      var el = e.target;
      var btn = el && el.closest ? el.closest('button, input[type="submit"]') : null;
      lastSubmitter = btn && btn.form ? btn : null;
    }, true);

    document.addEventListener('submit', function (e) {
      var form = e.target;
      if (!form || form.tagName !== 'FORM') { return; }
      var submitter = e.submitter || (lastSubmitter && lastSubmitter.form === form ? lastSubmitter : null);
      lastSubmitter = null;
      var message = (submitter && submitter.getAttribute('data-confirm')) ||
        form.getAttribute('data-confirm');
      if (message && !window.confirm(message)) {
        e.preventDefault();
      }
    });
  }

  /* (b) Success flashes fade out after 6 s; every flash gets a close button. */
  function hideFlash(flash) {
    if (flash.hidden) { return; }
    flash.classList.add('is-hiding');
    var done = function () { flash.hidden = true; };
    flash.addEventListener('transitionend', done, { once: true });
    window.setTimeout(done, 700); // in case transitions are disabled
  }

  function initFlashes() {
    var flashes = document.querySelectorAll('.flash');
    Array.prototype.forEach.call(flashes, function (flash) {
      var close = document.createElement('button');
      close.type = 'button';
      close.className = 'flash-close';
      close.setAttribute('aria-label', 'Fermer le message');
      close.textContent = '×';
      close.addEventListener('click', function () { hideFlash(flash); });
      flash.appendChild(close);

      if (flash.classList.contains('flash-success')) {
        var timer = window.setTimeout(function () { hideFlash(flash); }, FLASH_DELAY_MS);
        // Do not hide a message the user is reading with the keyboard or the mouse.
        flash.addEventListener('focusin', function () { window.clearTimeout(timer); });
        flash.addEventListener('mouseenter', function () { window.clearTimeout(timer); });
      }
    });
  }

  /* (c) Mobile menu (pure-CSS checkbox): close with Escape or after choosing a link. */
  function initNavToggle() {
    var toggle = document.getElementById('nav-toggle');
    if (!toggle) { return; }
    document.addEventListener('keydown', function (e) {
      if ((e.key === 'Escape' || e.key === 'Esc') && toggle.checked) {
        toggle.checked = false;
        toggle.focus();
      }
    });
    var nav = document.getElementById('sidebar-nav');
    if (nav) {
      nav.addEventListener('click', function (e) {
        if (e.target.closest && e.target.closest('a')) {
          toggle.checked = false;
        }
      });
    }
  }

  /* (d) select[data-searchable]: a search box that filters the options
     (case- and accent-insensitive). The selected option always stays.
     Options are removed/re-added rather than hidden (Safari ignores hidden
     <option>s). Enter picks the first match instead of submitting. */
  function fold(text) {
    var s = String(text || '').toLowerCase();
    if (s.normalize) { s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, ''); }
    return s.replace(/\s+/g, ' ').trim();
  }

  function initSearchableSelect(select) {
    var all = Array.prototype.map.call(select.options, function (opt) {
      return { el: opt, key: fold(opt.textContent) };
    });
    var input = document.createElement('input');
    input.type = 'search';
    input.className = 'select-filter';
    input.placeholder = 'Rechercher un pays…';
    input.setAttribute('aria-label', 'Filtrer la liste des indicatifs');
    input.setAttribute('autocomplete', 'off');
    input.setAttribute('spellcheck', 'false');
    if (select.id) { input.setAttribute('aria-controls', select.id); }
    select.parentNode.insertBefore(input, select);

    function matches(q) {
      return all.filter(function (o) { return o.key.indexOf(q) !== -1; });
    }

    function apply() {
      var q = fold(input.value);
      var value = select.value;
      var current = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
      var frag = document.createDocumentFragment();
      all.forEach(function (o) {
        if (!q || o.el === current || o.key.indexOf(q) !== -1) { frag.appendChild(o.el); }
      });
      while (select.firstChild) { select.removeChild(select.firstChild); }
      select.appendChild(frag);
      select.value = value;
    }

    input.addEventListener('input', apply);
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        e.preventDefault(); // never submit the form from the filter box
        var q = fold(input.value);
        var found = q ? matches(q) : [];
        if (found.length && select.value !== found[0].el.value) {
          select.value = found[0].el.value;
          apply();
          select.dispatchEvent(new Event('change', { bubbles: true }));
        }
      } else if ((e.key === 'Escape' || e.key === 'Esc') && input.value) {
        e.preventDefault();
        input.value = '';
        apply();
      }
    });
    // Before submitting, put every option back (the chosen value is kept).
    if (select.form) {
      select.form.addEventListener('submit', function () {
        if (input.value) { input.value = ''; apply(); }
      });
    }
  }

  function initSearchableSelects() {
    var selects = document.querySelectorAll('select[data-searchable]');
    Array.prototype.forEach.call(selects, initSearchableSelect);
  }

  function init() {
    initConfirm();
    initFlashes();
    initNavToggle();
    initSearchableSelects();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());

/* ---------- Campagnes : MessageEditor, MessagePreview, destinataires ----------
   Tout ici est un plus : sans JavaScript, le formulaire de campagne garde ses
   champs, ses boutons et l'aperçu rendu par le serveur. */
(function () {
  'use strict';

  var MSG_MAX = 4096;
  var VARIABLES = ['first_name', 'last_name'];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'className') { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* Nombre de caractères comme le serveur les compte (points de code). */
  function charCount(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { i++; }
      }
      n++;
    }
    return n;
  }

  function plural(n, one, many) { return n <= 1 ? one : many; }

  /* Adresse d'un lien : http(s), sans espace, lisible par URL(), hôte non vide.
     Rend un message d'erreur en français, ou '' si l'adresse convient. */
  function linkError(url) {
    if (!url) { return 'Saisissez l\'adresse du lien.'; }
    if (!/^https?:\/\//i.test(url)) { return 'L\'adresse doit commencer par http:// ou https://.'; }
    if (/\s/.test(url)) { return 'L\'adresse ne doit pas contenir d\'espace.'; }
    try {
      var u = new URL(url);
      if (!u.hostname || !/^https?:$/.test(u.protocol)) { throw new Error('hôte'); }
    } catch (e) {
      return 'Adresse invalide : vérifiez le nom du site (exemple : https://exemple.fr/page).';
    }
    return '';
  }

  /* Insère `text` à la place de la sélection du champ (ou à la fin s'il n'a
     jamais eu le focus), place le curseur après et prévient les écouteurs. */
  function insertAt(ta, text, range) {
    var start = range ? range.start : ta.selectionStart;
    var end = range ? range.end : ta.selectionEnd;
    if (!ta.hasAttribute('data-touched')) { start = end = ta.value.length; }
    ta.focus();
    ta.setRangeText(text, start, end, 'end');
    ta.setAttribute('data-touched', '');
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function initEditor(field, index) {
    var ta = field.querySelector('textarea');
    if (!ta) { return; }
    var label = field.querySelector('label');
    var short = label ? label.textContent.split('—')[0].trim() : 'message';
    ['focus', 'click', 'keyup', 'select'].forEach(function (ev) {
      ta.addEventListener(ev, function () { ta.setAttribute('data-touched', ''); });
    });

    /* Compteur « N / 4096 ». */
    var counter = field.querySelector('.char-count');
    function updateCounter() {
      if (!counter) { return; }
      var n = charCount(ta.value);
      counter.textContent = n + ' / ' + MSG_MAX;
      counter.appendChild(el('span', { className: 'visually-hidden' }, ' caractères'));
      if (n > MSG_MAX) {
        counter.appendChild(document.createTextNode(' — trop long de ' + (n - MSG_MAX) + ' ' +
          plural(n - MSG_MAX, 'caractère', 'caractères')));
      }
      counter.classList.toggle('is-over', n > MSG_MAX);
    }

    /* Barre d'outils : variables et lien. */
    var tools = el('div', { className: 'editor-tools', role: 'group', 'aria-label': 'Insertion dans le ' + short });
    VARIABLES.forEach(function (name) {
      var b = el('button', { type: 'button', className: 'btn-secondary btn-small editor-var' }, 'Insérer {{' + name + '}}');
      b.addEventListener('click', function () { insertAt(ta, '{{' + name + '}}'); });
      tools.appendChild(b);
    });
    var panelId = 'link-panel-' + (ta.id || index);
    var linkBtn = el('button', { type: 'button', className: 'btn-secondary btn-small editor-link',
      'aria-expanded': 'false', 'aria-controls': panelId }, 'Insérer un lien');
    tools.appendChild(linkBtn);

    /* Petit formulaire du lien (pas de <form> imbriqué, pas de window.prompt). */
    var inputId = 'link-url-' + (ta.id || index);
    var errId = 'link-err-' + (ta.id || index);
    var panel = el('div', { className: 'link-inserter', id: panelId, hidden: '' });
    var lbl = el('label', { for: inputId }, 'Adresse du lien');
    // type="text" (et non url) : un champ caché invalide bloquerait l'envoi du formulaire.
    var input = el('input', { type: 'text', id: inputId, inputmode: 'url', autocomplete: 'off',
      spellcheck: 'false', placeholder: 'https://exemple.fr/page', 'aria-describedby': errId });
    var row = el('div', { className: 'link-row' });
    var ok = el('button', { type: 'button', className: 'btn-small link-ok' }, 'Insérer le lien');
    var cancel = el('button', { type: 'button', className: 'btn-secondary btn-small link-cancel' }, 'Annuler');
    var err = el('p', { className: 'field-error', id: errId, role: 'alert', hidden: '' });
    row.appendChild(input); row.appendChild(ok); row.appendChild(cancel);
    panel.appendChild(lbl); panel.appendChild(row); panel.appendChild(err);

    var saved = null;
    function showError(msg) {
      err.textContent = msg;
      err.hidden = !msg;
      if (msg) { input.setAttribute('aria-invalid', 'true'); } else { input.removeAttribute('aria-invalid'); }
    }
    function close(focusBack) {
      panel.hidden = true;
      linkBtn.setAttribute('aria-expanded', 'false');
      showError('');
      input.value = '';
      if (focusBack) { linkBtn.focus(); }
    }
    function open() {
      saved = ta.hasAttribute('data-touched') ? { start: ta.selectionStart, end: ta.selectionEnd } : null;
      panel.hidden = false;
      linkBtn.setAttribute('aria-expanded', 'true');
      input.focus();
    }
    function commit() {
      var url = input.value.trim();
      var msg = linkError(url);
      if (msg) { showError(msg); input.focus(); return; }
      var start = saved ? saved.start : ta.value.length;
      var end = saved ? saved.end : ta.value.length;
      var before = ta.value.slice(0, start);
      var after = ta.value.slice(end);
      // Un lien collé à un mot ne serait pas reconnu : espaces autour si besoin.
      var text = (before && !/\s$/.test(before) ? ' ' : '') + url + (after && !/^\s/.test(after) ? ' ' : '');
      ta.setAttribute('data-touched', '');
      insertAt(ta, text, { start: start, end: end });
      close(false);
    }
    linkBtn.addEventListener('click', function () {
      if (panel.hidden) { open(); } else { close(true); }
    });
    ok.addEventListener('click', commit);
    cancel.addEventListener('click', function () { close(true); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); commit(); } // jamais d'envoi du formulaire ici
      else if (e.key === 'Escape' || e.key === 'Esc') { e.preventDefault(); close(true); }
    });
    input.addEventListener('input', function () { if (!err.hidden) { showError(''); } });

    ta.parentNode.insertBefore(tools, ta);
    ta.parentNode.insertBefore(panel, ta);
    ta.addEventListener('input', updateCounter);
    updateCounter();
  }

  /* Aperçu façon WhatsApp : variables remplacées par les noms d'exemple. */
  function initPreview(form) {
    var chat = document.getElementById('message-preview');
    if (!chat) { return; }
    var first = chat.getAttribute('data-first-name') || '';
    var last = chat.getAttribute('data-last-name') || '';
    function render(text) {
      return text.split('{{first_name}}').join(first).split('{{last_name}}').join(last);
    }
    var m1 = form.querySelector('textarea[name="message_1"]');
    var m2 = form.querySelector('textarea[name="message_2"]');
    var t1 = document.getElementById('preview-1-text');
    var t2 = document.getElementById('preview-2-text');
    var follow = document.getElementById('preview-followup');
    function update1() {
      if (!m1 || !t1) { return; }
      var empty = !m1.value.trim();
      t1.textContent = empty ? (t1.getAttribute('data-empty') || '') : render(m1.value);
      t1.classList.toggle('is-empty', empty);
    }
    function update2() {
      if (!m2 || !t2 || !follow) { return; }
      t2.textContent = render(m2.value);
      follow.hidden = !m2.value.trim();
    }
    if (m1) { m1.addEventListener('input', update1); }
    if (m2) { m2.addEventListener('input', update2); }
    update1();
    update2();
    var tpl = form.querySelector('input[name="template_name"]');
    var tplNote = document.getElementById('preview-template');
    if (tpl && tplNote) {
      var tplName = tplNote.querySelector('.preview-template-name');
      var updateTpl = function () {
        var v = tpl.value.trim();
        if (tplName) { tplName.textContent = v; }
        tplNote.hidden = !v;
      };
      tpl.addEventListener('input', updateTpl);
      updateTpl();
    }
    var nojs = document.querySelector('.preview-nojs');
    if (nojs) { nojs.hidden = true; }
  }

  /* Nombre de destinataires et durée estimée selon les catégories choisies. */
  function initRecipients(form) {
    var select = form.querySelector('select[name="category"][data-recipients-url]');
    var summary = document.getElementById('send-summary');
    var warning = document.getElementById('send-warning');
    if (!select || !summary || !window.fetch) { return; }
    var rate = summary.getAttribute('data-rate') || '';
    var seq = 0;
    var controller = null;

    function setSummary(count, eta, r) {
      summary.textContent = '';
      summary.appendChild(el('span', { className: 'send-count' }, count + ' ' + plural(count, 'destinataire', 'destinataires')));
      summary.appendChild(document.createTextNode(' · durée estimée '));
      summary.appendChild(el('span', { className: 'send-eta' }, eta));
      summary.appendChild(document.createTextNode(' (' + r + ' messages par minute)'));
    }
    function setWarning(count, empty) {
      if (!warning) { return; }
      if (!empty || !empty.length) { warning.hidden = true; warning.textContent = ''; return; }
      warning.textContent = (count === 0 ? 'Aucun destinataire joignable. ' : '') +
        'Sans contact joignable (catégorie vide ou contacts désinscrits) : ' +
        empty.map(function (n) { return '« ' + n + ' »'; }).join(', ') + '.';
      warning.hidden = false;
    }

    function refresh() {
      var ids = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      var mine = ++seq;
      if (controller) { controller.abort(); controller = null; }
      if (!ids.length) {
        summary.textContent = '0 destinataire · choisissez au moins une catégorie.';
        setWarning(0, null);
        return;
      }
      var url = select.getAttribute('data-recipients-url') + '?' +
        ids.map(function (id) { return 'category=' + encodeURIComponent(id); }).join('&');
      controller = window.AbortController ? new AbortController() : null;
      window.fetch(url, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        signal: controller ? controller.signal : undefined,
      }).then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      }).then(function (data) {
        if (mine !== seq) { return; }
        var count = Number(data.count) || 0;
        setSummary(count, data.eta_display || '', data.rate || rate);
        setWarning(count, data.empty_categories || []);
      }).catch(function (e) {
        if (mine !== seq || (e && e.name === 'AbortError')) { return; }
        summary.textContent = 'Nombre de destinataires indisponible pour l\'instant ; il sera vérifié au lancement.';
        setWarning(1, null);
      });
    }
    select.addEventListener('change', refresh);
  }

  function init() {
    var form = document.getElementById('campaign-form');
    if (!form) { return; }
    Array.prototype.forEach.call(form.querySelectorAll('[data-editor]'), initEditor);
    initPreview(form);
    initRecipients(form);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
