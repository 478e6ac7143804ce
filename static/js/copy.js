// "Copy" buttons on a brief (citations, the link to share). Without JavaScript the buttons stay
// hidden and the text is there to select; with it, a click copies and says so in a live region.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const status = button.parentElement.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    const target = button.dataset.copy.startsWith("#") ? document.querySelector(button.dataset.copy) : null;
    const text = target ? target.textContent.trim().replace(/\s+/g, " ") : button.dataset.copy;
    try {
      await navigator.clipboard.writeText(text);
      if (status) status.textContent = "Copied.";
    } catch (error) {
      if (status) status.textContent = "Could not copy: select the text and copy it.";
    }
  });
});
