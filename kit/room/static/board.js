// Ask the room every second whether anything changed; if so, swap in the server's new HTML.
// Everything shown is rendered by the server: this script only fetches it, from the room.
const live = document.getElementById("live");

function showTimes() {
  for (const cell of document.querySelectorAll(".time[data-unix]")) {
    cell.textContent = new Date(Number(cell.dataset.unix) * 1000).toLocaleTimeString();
  }
}

async function refresh() {
  try {
    const answer = await fetch(live.dataset.poll, { cache: "no-store" });
    const room = await answer.json();
    // The stuck count grows with time alone, so it is part of what "changed" means.
    const seen = `${room.version}:${room.stuck ?? 0}`;
    if (seen !== live.dataset.version) {
      const part = await fetch(live.dataset.part, { cache: "no-store" });
      live.innerHTML = await part.text();
      live.dataset.version = seen;
      showTimes();
    }
  } catch (error) {
    // The room restarted or the network blinked: the next poll tries again.
  }
}

showTimes();
setInterval(refresh, 1000);
