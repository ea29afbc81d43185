/* Read aloud (article pages): the browser's own speech synthesis (window.speechSynthesis), no
   third-party service.  The controls (.read-aloud in article.html) stay hidden unless the browser
   has a voice for the page's language (data-lang: zh-CN, ko-KR).  The article is read sentence
   by sentence: one utterance per sentence (long utterances stop early in some browsers), the
   sentence being read is highlighted (CSS Custom Highlight API; elsewhere its paragraph is
   marked) and kept in view without animation.  Pause / continue / stop. */
(function () {
  "use strict";
  var box = document.querySelector(".read-aloud");
  var synth = window.speechSynthesis;
  if (!box || !synth || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var lang = box.getAttribute("data-lang") || document.documentElement.lang;
  var base = lang.split("-")[0].toLowerCase();
  var main = box.querySelector(".ra-main"), stopButton = box.querySelector(".ra-stop");
  var label = main.querySelector(".ra-label");
  var voice = null, sentences = null, index = 0, state = "idle", current = null, marked = null;
  var highlights = window.CSS && CSS.highlights && typeof window.Highlight === "function";

  function pickVoice() {
    var voices = synth.getVoices() || [], exact = null, near = null, i, v, code;
    for (i = 0; i < voices.length; i++) {
      v = voices[i];
      code = String(v.lang || "").replace("_", "-").toLowerCase();
      if (code === lang.toLowerCase()) { exact = exact || v; }
      // the same language elsewhere will do, but never Cantonese for Chinese pages
      else if (code.split("-")[0] === base && !/^(zh-hk|zh-mo|yue)/.test(code)) { near = near || v; }
    }
    voice = exact || near;
    box.hidden = !voice;
  }

  /* Blocks of text to read: the title, the event/visitor boxes, the body. */
  var BLOCKS = "p, li, h2, h3, h4, h5, h6, dt, dd, th, td, figcaption, blockquote";
  var END = /[。！？!?；;]+[”’」』）)"]*|\.(?=\s|$)[”’」』）)"]*/g;

  function skip(node) {
    var el = node.parentElement;
    return !el || el.closest("[aria-hidden='true'], script, style, .read-aloud, sup.footnote-ref");
  }

  function collect() {
    var article = box.closest("article") || document.querySelector("main");
    var roots = [article.querySelector("h1")].concat(
      Array.prototype.slice.call(article.querySelectorAll(".event-box dl > div, .visit-box dl > div, .article-body")));
    var out = [];
    roots.forEach(function (root) {
      if (!root) { return; }
      var blocks = root.matches(BLOCKS + ", h1, dl > div") ? [root] : Array.prototype.filter.call(
        root.querySelectorAll(BLOCKS), function (b) { return !b.querySelector(BLOCKS); });
      blocks.forEach(function (block) { split(block, out); });
    });
    return out;
  }

  /* The sentences of one block, each with the DOM range it covers. */
  function split(block, out) {
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT), nodes = [], text = "", n, m, start = 0;
    while ((n = walker.nextNode())) {
      if (skip(n)) { continue; }
      nodes.push([n, text.length]);
      text += n.data;
    }
    function at(offset, end) {
      for (var i = nodes.length - 1; i >= 0; i--) {
        if (nodes[i][1] < offset || (!end && nodes[i][1] === offset)) { return [nodes[i][0], offset - nodes[i][1]]; }
      }
      return [nodes[0][0], 0];
    }
    function add(from, to) {
      var piece = text.slice(from, to);
      if (!/[0-9A-Za-z\u00c0-\u024f\u1100-\u11ff\u3040-\u9fff\uac00-\ud7af]/.test(piece)) { return; } // letters or digits
      var range = document.createRange(), a = at(from + piece.length - piece.replace(/^\s+/, "").length, false),
        b = at(to - (piece.length - piece.replace(/\s+$/, "").length), true);
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      out.push({ text: piece.replace(/\s+/g, " ").trim(), range: range, block: block });
    }
    END.lastIndex = 0;
    while ((m = END.exec(text))) {
      add(start, m.index + m[0].length);
      start = m.index + m[0].length;
    }
    if (start < text.length) { add(start, text.length); }
  }

  function mark(s) {
    if (marked) { marked.classList.remove("ra-block"); }
    marked = s ? s.block : null;
    if (highlights) {
      if (s) { CSS.highlights.set("read-aloud", new Highlight(s.range)); } else { CSS.highlights.delete("read-aloud"); }
    } else if (marked) {
      marked.classList.add("ra-block");
    }
    if (s) {
      var r = s.range.getBoundingClientRect(), h = window.innerHeight || 0;
      if (r.top < 0 || r.bottom > h - box.offsetHeight) { s.block.scrollIntoView({ block: "center", behavior: "auto" }); }
    }
  }

  function show(next) {
    state = next;
    var on = state !== "idle";
    box.classList.toggle("is-active", on);
    box.classList.toggle("ra-speaking", state === "speaking");
    document.documentElement.classList.toggle("ra-on", on);
    stopButton.hidden = !on;
    label.textContent = box.getAttribute(state === "speaking" ? "data-label-pause"
      : state === "paused" ? "data-label-resume" : "data-label-start");
  }

  function speak() {
    if (index >= sentences.length) { stop(); return; }
    var s = sentences[index], u = new SpeechSynthesisUtterance(s.text);
    u.lang = lang;
    if (voice) { u.voice = voice; }
    u.rate = 0.9; // a little slower than the default, for older listeners
    u.onend = function () {
      if (u !== current || state !== "speaking") { return; }
      index++;
      speak();
    };
    u.onerror = function (e) {
      if (u !== current || e.error === "interrupted" || e.error === "canceled") { return; }
      stop();
    };
    current = u;
    mark(s);
    synth.speak(u);
  }

  function stop() {
    current = null;
    synth.cancel();
    mark(null);
    index = 0;
    show("idle");
  }

  main.addEventListener("click", function () {
    if (state === "idle") {
      sentences = sentences || collect();
      index = 0;
      synth.cancel();
      show("speaking");
      speak();
    } else if (state === "speaking") {
      synth.pause();
      show("paused");
    } else {
      show("speaking");
      synth.resume();
      // some engines (Android) drop a paused utterance: then read the sentence again
      if (!synth.speaking) { speak(); }
    }
  });
  stopButton.addEventListener("click", function () { stop(); main.focus(); });
  window.addEventListener("pagehide", function () { synth.cancel(); });

  pickVoice();
  if (synth.addEventListener) { synth.addEventListener("voiceschanged", pickVoice); } else { synth.onvoiceschanged = pickVoice; }
})();
