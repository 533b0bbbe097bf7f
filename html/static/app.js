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

  function init() {
    initConfirm();
    initFlashes();
    initNavToggle();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
