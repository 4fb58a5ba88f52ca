/*
 * Links to a sentence of a text box on the evaluation page: "#sentence=<id>:<start>:<end>"
 * (review/consistency: a sentence that contradicts the figures) scrolls to the box, focuses it
 * and selects the sentence. Offsets count as the text box does (UTF-16, a line break as one).
 */
(function () {
    "use strict";
    var pattern = /^#sentence=([^:]+):(\d+):(\d+)$/;

    function select() {
        var match = pattern.exec(window.location.hash);
        if (!match) {
            return;
        }
        var box = document.getElementById(decodeURIComponent(match[1]));
        if (!box) {
            return;
        }
        box.scrollIntoView({block: "center"});
        box.focus();
        if (typeof box.setSelectionRange === "function") {
            box.setSelectionRange(Number(match[2]), Number(match[3]));
        }
    }

    window.addEventListener("hashchange", select);
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", select);
    } else {
        select();
    }
})();
