/**
 * docs-example.js — the example documentation page's own script, not part of the embed. Its button adds a
 * traceback block after the page has loaded (as a client-side docs site does on navigation, or a "show log"
 * toggle), so the page shows embed.js picking up blocks added later. Inline scripts are blocked by the
 * page's Content-Security-Policy, hence a file.
 */
const button = document.getElementById('show-log');
button.addEventListener('click', () => {
  const log = document.getElementById('web-log').content.cloneNode(true);
  document.getElementById('later-log').append(log);
  button.disabled = true;
});
