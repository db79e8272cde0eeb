// Step timer for a session's agenda: who speaks now and how long is left.
// Loaded from a file (the CSP allows no inline script). Without JavaScript
// the agenda stays a plain ordered list.
(function () {
  "use strict";

  function format(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function setUp(timer) {
    var steps = Array.prototype.slice.call(document.querySelectorAll(".agenda .steps li"));
    if (!steps.length) return;
    var speaker = timer.querySelector(".speaker");
    var title = timer.querySelector(".step-title");
    var remaining = timer.querySelector(".remaining");
    var toggle = timer.querySelector(".toggle");
    var next = timer.querySelector(".next");
    var index = 0;
    var left = 0;
    var running = false;
    var last = 0;
    var tick = null;

    function show() {
      steps.forEach(function (li, n) {
        li.classList.toggle("current", n === index);
        if (n === index) li.setAttribute("aria-current", "step");
        else li.removeAttribute("aria-current");
      });
      if (index >= steps.length) {
        speaker.textContent = "";
        title.textContent = timer.dataset.done;
        remaining.textContent = "0:00";
        toggle.disabled = true;
        next.disabled = true;
        return;
      }
      speaker.textContent = steps[index].dataset.speaker;
      title.textContent = steps[index].dataset.title;
      remaining.textContent = format(left);
      timer.classList.toggle("overtime", left <= 0);
      toggle.textContent = running ? timer.dataset.pause : timer.dataset.start;
    }

    function load(n) {
      index = n;
      left = n < steps.length ? Number(steps[n].dataset.minutes) * 60 : 0;
      show();
    }

    function step() {
      var now = Date.now();
      left -= (now - last) / 1000;
      last = now;
      if (left <= 0) {
        load(index + 1);
        if (index >= steps.length) stop();
      }
      show();
    }

    function start() {
      running = true;
      last = Date.now();
      tick = window.setInterval(step, 250);
      show();
    }

    function stop() {
      running = false;
      if (tick) window.clearInterval(tick);
      tick = null;
      show();
    }

    toggle.addEventListener("click", function () {
      if (running) stop();
      else start();
    });
    next.addEventListener("click", function () {
      load(index + 1);
      if (index >= steps.length) stop();
    });
    timer.hidden = false;
    load(0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var timer = document.getElementById("step-timer");
    if (timer) setUp(timer);
  });
})();
