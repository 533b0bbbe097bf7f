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
