"""Step 3: how badly the network does — for one example, over a whole data set, and in a quiz."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gdtui.core import costs, quiz
from gdtui.core.costs import CostName
from gdtui.core.dataset import Split
from gdtui.core.network import Network
from gdtui.core.training import Evaluation, evaluate
from gdtui.core.words import done, percent
from gdtui.ui.messages import WorkProgressed
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.widgets.cost_table import CostTable, formula
from gdtui.ui.widgets.digit_view import DigitView
from gdtui.ui.widgets.layer_bars import bar
from gdtui.ui.widgets.quiz_card import PLACES, QuizCard

_EXAMPLE_ACTIONS = {"browse", "average_over", "measure"}
_RANKING_ACTIONS = {"pick", "move", "choose"}
_PICK = Binding.Group("Pick", compact=True)
_MOVE = Binding.Group("Move", compact=True)
_SCROLL = Binding.Group("Scroll", compact=True)

_COST_NAMES = {"quadratic": "quadratic cost", "cross-entropy": "cross-entropy"}
_COST_SENTENCES = {
    "quadratic": "Quadratic cost: every output's squared miss, added up.",
    "cross-entropy": "Cross-entropy: −ln of the right digit's output alone; a confident miss costs far "
    "more than with the quadratic cost.",
}


def combine(parts: list[Evaluation | None]) -> Evaluation:
    """One evaluation from evaluations of disjoint parts of a split (None for an empty part)."""
    found = [part for part in parts if part is not None]
    n = sum(part.examples for part in found)
    cost = sum(part.cost * part.examples for part in found) / n
    correct = sum(round(part.accuracy * part.examples) for part in found)
    return Evaluation(cost, correct / n, n)


@dataclass(frozen=True, eq=False)  # holds an array: compare by identity
class Measurement:
    """The averages over one split, for a fresh random network and the network as it was."""

    split: str
    cost: CostName
    version: int  # of the shared network measured: the network has changed when the state's is newer
    random: Evaluation
    current: Evaluation
    by_digit: list[Evaluation | None]  # the current network's, on each digit's images (None: there are none)


class CostScreen(LessonScreen):
    TITLE_TEXT = "Cost"
    HELP = """\
The **cost** says how badly the network does. For one example, compare its
outputs, one per class, with the **target**: on MNIST a "3" wants output 3 at 1
and the other nine at 0.
The quadratic cost adds up every output's squared miss, (output − target)²: the
table shows each term as a bar, and below it their sum with the numbers
plugged in. `n` and `p` pick another example.

The cost of the **whole network** is that, averaged over thousands of examples:
the test set, or the training set with `t`. It is a function of the network's
parameters: its inputs are all the weights and biases, its output one number. A
low cost means the network does well, a high cost means many mistakes. Beside it
is a fresh random network of the same shape, for comparison: train the network
(6, Training) and come back. `m` measures again, if training went on meanwhile.

**Quiz** (`v`): four output vectors for one digit, to rank from highest to lowest
cost. `←`/`→` or `a`–`d` pick an option, `↑`/`↓` move it up or down your ranking,
`enter` checks and then asks the next question; once checked, `↑`/`↓` scroll an
answer too long for the screen (long class names). The first question is the
lesson's; the next are the network's real outputs on test images, once it has
learned enough for their costs to differ. Costs equal to two decimals may come
in either order.

`f` switches between the quadratic cost and **cross-entropy**, −ln of the right
digit's output, which punishes a confident miss much harder. Cross-entropy needs
softmax outputs, which add up to 1 like probabilities; a network with sigmoid
outputs, as in the lesson, has only the quadratic cost."""

    BINDINGS = [
        Binding("v", "view('quiz')", "Quiz", tooltip="The quiz: rank four answers by their cost"),
        Binding("v", "view('example')", "Example", tooltip="Back to one example and the whole network's cost"),
        Binding("n", "browse(1)", "Next", tooltip="The next example"),
        Binding("p", "browse(-1)", "Prev", tooltip="The previous example"),
        Binding("t", "average_over('train')", "Train set", tooltip="Average over the training set"),
        Binding("t", "average_over('test')", "Test set", tooltip="Average over the test set"),
        Binding("m", "measure", "Measure again", tooltip="Measure the whole network's cost again, after more training"),
        Binding("left", "pick(-1)", "Pick the option on the left", group=_PICK),
        Binding("right", "pick(1)", "Pick the option on the right", group=_PICK),
        Binding("up", "move(-1)", "Move it up the ranking", group=_MOVE),
        Binding("down", "move(1)", "Move it down the ranking", group=_MOVE),
        # Once checked, and only if the answer is longer than the rows left for it (long class names on a small screen).
        Binding("up", "scroll_answer(-1)", "Scroll the answer up", group=_SCROLL),
        Binding("down", "scroll_answer(1)", "Scroll the answer down", group=_SCROLL),
        *(Binding(letter, f"choose({i})", f"Pick option {letter}", show=False) for i, letter in enumerate(quiz.LETTERS)),
        Binding("enter", "check", "Check", tooltip="Check your ranking"),
        Binding("enter", "next_question", "Next", tooltip="The next question"),
        Binding("f", "switch_cost", "Cost fn", tooltip="Switch between the quadratic cost and cross-entropy"),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]

    DEFAULT_CSS = """
    CostScreen ContentSwitcher { height: 1fr; }
    CostScreen #example { height: auto; }
    CostScreen #example-row { height: auto; }
    CostScreen #image-box {
        display: none; width: auto; height: auto; border: round $primary; padding: 0 1; margin-right: 1;
    }
    CostScreen.-wide.-tall #image-box { display: block; }
    CostScreen #table-box { width: auto; height: auto; border: round $primary; padding: 0 1; }
    CostScreen #right-column { width: 1fr; height: auto; margin-left: 1; }
    CostScreen #whole, CostScreen #by-digit { border: round $primary; padding: 0 1; }
    /* Its sentences wrap: which network, and what its numbers say, are read whole. */
    CostScreen #whole { height: auto; }
    CostScreen #by-digit { text-wrap: nowrap; text-overflow: ellipsis; }
    CostScreen #by-digit { display: none; height: auto; }
    CostScreen.-tall #by-digit { display: block; }
    CostScreen #about { color: $text-muted; margin-top: 1; }
    CostScreen #quiz-row { height: auto; margin-top: 1; }
    CostScreen QuizCard { margin-right: 1; }
    CostScreen.-short QuizCard > DigitView { display: none; }
    CostScreen Footer.-compact FooterLabel { margin-right: 1; }
    CostScreen #ranking { width: auto; height: auto; padding: 0 1; }
    CostScreen #verdict { margin-top: 1; }
    CostScreen.-guided #quiz-title { display: block; }
    /* At 80×24 a checked question fills the screen, the made-up one's two lines of why and all: the margins
       give their rows to it, and under the guided lesson to the question above the cards. */
    CostScreen.-short #quiz-row, CostScreen.-short #verdict { margin-top: 0; }
    """

    view: reactive[str] = reactive("example", init=False, repaint=False)
    cost_name: reactive[CostName] = reactive[CostName]("quadratic", init=False, repaint=False)
    split_name: reactive[str] = reactive("test", init=False, repaint=False)
    selected: reactive[int] = reactive(0, init=False, repaint=False)
    ranking: reactive[tuple[int, ...]] = reactive(tuple(range(len(quiz.LETTERS))), init=False, repaint=False)
    checked: reactive[bool] = reactive(False, init=False, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.measurement: Measurement | None = None
        self.progress: float | None = None  # of the measurement under way
        self._number = 0
        self._rng: np.random.Generator | None = None

    def compose_body(self) -> ComposeResult:
        with ContentSwitcher(initial="example"):
            with Vertical(id="example"):
                yield Static(id="example-title")
                with Horizontal(id="example-row"):
                    with Vertical(id="image-box"):
                        yield DigitView(show_legend=True, id="image")
                    with Vertical(id="table-box"):
                        yield CostTable(id="table")
                    with Vertical(id="right-column"):
                        yield Static(id="whole")
                        yield Static(id="by-digit")
                yield Static(id="formula")
                yield Static(id="about", classes="aside")
            with Vertical(id="quiz"):
                yield Static(id="quiz-title", classes="aside")
                with Horizontal(id="quiz-row"):
                    for i in range(len(quiz.LETTERS)):
                        yield QuizCard(id=f"card-{i}")
                    yield Static(id="ranking")
                # The rows the cards leave: enough at 80×24 for digits' names, scrolled with ↑/↓ for longer ones.
                with VerticalScroll(id="answer", can_focus=False):
                    yield Static(id="verdict")
                    yield Static(id="explanations", classes="aside")

    def on_mount(self) -> None:
        self.query_one("#table-box").border_title = "cost C of this example"
        self._rng = np.random.default_rng(self.state.seed)
        self.watch(self.app, "network_version", self._network_changed, init=False)
        self.watch(self.app, "input_version", self._input_changed, init=False)

    def _network_changed(self) -> None:
        if self.is_current:  # a screen not shown measures when it comes back: see redraw
            self.redraw()

    def _input_changed(self) -> None:
        if self.is_current:  # a screen not shown draws the example when it comes back
            self._draw_example()

    # Which keys work where: the footer shows only those that do something now.
    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":
            return parameters[0] != self.view
        if action == "average_over":
            return self.view == "example" and parameters[0] != self.split_name
        if action in _EXAMPLE_ACTIONS:
            return self.view == "example"
        if action in _RANKING_ACTIONS or action == "check":
            return self.view == "quiz" and not self.checked
        if action == "next_question":
            return self.view == "quiz" and self.checked
        if action == "scroll_answer":
            return self.view == "quiz" and self.checked and self.query_one("#answer").max_scroll_y > 0
        return True

    @property
    def question(self) -> quiz.Question:
        kept = self.state.quiz
        if kept.question is None:
            kept.question = quiz.opening(self.cost_name, self.state.network.sizes[-1], self._quiz_rng(), self._names())
        return kept.question

    def _quiz_rng(self) -> np.random.Generator:
        # Made as the screen is mounted; a question asked for before that draws from a fresh one.
        return self._rng or np.random.default_rng(self.state.seed)

    def _names(self) -> tuple[str, ...] | None:
        """The classes' names for the quiz to say, unless they are their numbers."""
        return None if self.state.numbered else self.state.data.classes

    def redraw(self) -> None:
        if self.state.network.output not in costs.COMPATIBLE_OUTPUTS[self.cost_name]:
            self.cost_name = "quadratic"  # another network came in, whose outputs cross-entropy cannot judge
        self._draw_example()
        self._draw_quiz()
        self.measure()

    # The example and the whole network

    def _draw_example(self) -> None:
        state = self.state
        outputs = state.network.forward(state.chosen.inputs())[0].astype(np.float64)
        label = state.chosen.label()
        what = "digit" if state.numbered else "class"
        if label is None:
            title = (
                f"[b]$input[/b]: no {what} is the right answer, so there is no cost. "
                f"n/p pick {'a digit' if state.numbered else 'an example'}."
            )
            equation = ""
        else:
            output = f"{label}" if state.numbered else f"{label} ($name)"
            title = f"[b]One example[/b]: $input. It wants output {output} at 1, the rest at 0."
            equation = f"[b]{formula(outputs, label, self.cost_name, self.app.size.width)}[/b]"
        # The example's description and class name are anyone's text: put in as text, never as markup.
        name = "" if label is None else state.class_name(label)
        description = state.describe().capitalize() if label is None else state.describe()
        self.query_one("#example-title", Static).update(Content.from_markup(title, input=description, name=name))
        self.query_one("#table", CostTable).show(outputs, label, self.cost_name, what)
        # As tall as the table beside it, a row an output, its heading and its border: no taller, or with fewer
        # classes than ten it would push the formula below off the screen.
        self.query_one("#whole").styles.min_height = len(outputs) + 3
        self.query_one("#image", DigitView).show(state.chosen.image())
        self.query_one("#image-box").border_title = "input"
        self.query_one("#formula", Static).update(equation)
        self.query_one("#about", Static).update(self._about())
        self._draw_whole()

    def _about(self) -> str:
        network = self.state.network
        sentence = _COST_SENTENCES[self.cost_name]
        if self.cost_name == "cross-entropy":
            switch = "f: quadratic."
        elif self._cross_entropy_allowed():
            switch = f"f: cross-entropy, −ln of the right {'digit' if self.state.numbered else 'class'}'s output."
        else:
            switch = f"Cross-entropy needs softmax outputs; this network's are {network.output}."
        return (
            f"The cost function takes all [b]{network.num_params:,}[/b] weights and biases of the network "
            f"as its inputs and gives one number: the average cost.\n{sentence} {switch}"
        )

    def _draw_whole(self) -> None:
        whole = self.query_one("#whole", Static)
        split = self.state.data.test if self.split_name == "test" else self.state.data.train
        whole.border_title = "whole network"
        name = "test" if self.split_name == "test" else "training"
        text = Text(f"over {len(split):,} {name} images\n")
        found = self.measurement
        if self.progress is not None:
            text.append("\nmeasuring ")
            text.append(bar(self.progress, 10), style="cyan")
            text.append(f" {done(self.progress):>4}\n\n")
        elif found is not None:
            text.append(f"{'':9}{'random':>7} {'current':>7}\n", style="bold")
            text.append(f"cost     {found.random.cost:7.2f} {found.current.cost:7.2f}\n")
            text.append(f"accuracy {percent(found.random.accuracy):>7} {percent(found.current.accuracy):>7}\n")
        # On a line of its own, in as few words as the box's width asks: each row more is one the sentences below
        # lose at 80×24.
        room = whole.content_size.width - len("current: ") if whole.content_size.width else None
        text.append(f"random: seed {self.state.seed}\ncurrent: {self.state.network_origin_in(room)}\n\n", style="dim")
        text.append(
            self._judged(found)
            if found is not None and self.progress is None
            else "Low cost: it does well.\nHigh cost: many mistakes."
        )
        whole.update(text)
        self._draw_by_digit()

    def _judged(self, found: Measurement) -> str:
        """What the current network's cost says, read beside its accuracy: a cost alone can flatter."""
        current, random = found.current, found.random
        right = f"{percent(current.accuracy)} right"  # as the table above it gives it
        # Guessing gets one class in this many right; twice that is still no reading worth the name, though
        # over half as often again as guessing is more than chance.
        chance = 1 / len(self.state.data.classes)
        if current.accuracy < 2 * chance:
            near = "chance" if current.accuracy < 1.5 * chance else "little better than chance"
            if current.cost < random.cost / 2:
                return (
                    f"Lower cost, yet {right}: {near}. Outputs near 0 miss by one each: cheap."
                    if self.cost_name == "quadratic"
                    else f"Lower cost, yet {right}: {near}."
                )
            return f"High cost, {right}: {near}, many mistakes."
        if current.cost >= random.cost:
            # Right more often than chance, yet costlier than guessing: its wrong answers are sure ones, the costliest.
            return f"Higher cost, yet {right}: sure of its mistakes."
        if current.accuracy >= 0.5:
            return f"Low cost, {right}: it does well."
        return f"Lower cost, {right}: better than chance, many mistakes still."

    def _draw_by_digit(self) -> None:
        """The current network's cost on each digit, a full bar being the random network's average."""
        panel = self.query_one("#by-digit", Static)
        state = self.state
        panel.border_title = f"by {'digit' if state.numbered else 'class'} · current"
        found = self.measurement
        width = max(5, *(len(name) for name in state.data.classes))
        text = Text(f"{'digit' if state.numbered else 'class':<{width}} cost            accuracy", style="bold")
        for digit in range(state.network.sizes[-1]):
            part = found.by_digit[digit] if found is not None and self.progress is None else None
            text.append(f"\n{state.data.classes[digit]:^{width}}", style="dim")
            if part is None or found is None:
                continue
            text.append(bar(part.cost / found.random.cost, 10), style="red")
            text.append(f" {part.cost:5.2f} {percent(part.accuracy):>8}")
        text.append("\nfull bar: the random network's cost", style="dim")
        panel.update(text)

    def measure(self, force: bool = False) -> None:
        """Start averaging over the chosen split, unless that is known for this network already."""
        found = self.measurement
        if (
            not force
            and found is not None
            and (found.split, found.cost, found.version) == (self.split_name, self.cost_name, self.state.version)
        ):
            # What is shown is what is asked for: a measurement of something else under way is not wanted any more.
            self.workers.cancel_group(self, "average")
            if self.progress is not None:
                self.progress = None
                self._draw_whole()
            return
        # Training may change the live network meanwhile: measure a copy taken now.
        current, version = self.state.versioned_copy()
        fresh = Network(current.sizes, activation=current.activation, output=current.output, seed=self.state.seed)
        split = self.state.data.test if self.split_name == "test" else self.state.data.train
        self.progress = 0.0
        self._draw_whole()
        # Exclusive: starting it cancels a measurement under way, whose messages and result are then ignored.
        self._average(current, fresh, split, self.split_name, self.cost_name, version)

    @work(thread=True, exclusive=True, group="average", exit_on_error=False)
    def _average(
        self, current: Network, fresh: Network, split: Split, split_name: str, cost: CostName, version: int
    ) -> Measurement | None:
        # Digit by digit: the progress moves, a cancel is noticed soon, and the costs per digit come for free.
        worker = get_current_worker()
        digits = [np.flatnonzero(split.labels == d) for d in range(current.sizes[-1])]
        results: list[list[Evaluation | None]] = []
        for network in (fresh, current):
            parts: list[Evaluation | None] = []
            for index in digits:
                if worker.is_cancelled:
                    return None
                part = Split(split.images[index], split.labels[index])
                parts.append(evaluate(network, part, cost) if len(index) else None)
                finished = len(results) * len(digits) + len(parts)
                self.post_message(WorkProgressed(worker, finished / (2 * len(digits))))
            results.append(parts)
        random, by_digit = results
        return Measurement(split_name, cost, version, combine(random), combine(by_digit), by_digit)

    def on_work_progressed(self, message: WorkProgressed) -> None:
        if message.worker.group != "average":
            return
        message.stop()
        if not message.worker.is_cancelled:
            self.progress = message.fraction
            self._draw_whole()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "average" and event.state is WorkerState.SUCCESS and not worker.is_cancelled:
            self.measurement = worker.result
            self.progress = None
            self._draw_whole()

    # The quiz

    def _draw_quiz(self) -> None:
        question, ranking = self.question, self.ranking
        for_label = "for $what"  # a class's name, put in as text
        kind = {
            quiz.LESSON: f"The lesson's four outputs {for_label}.",
            quiz.REAL: "The network's real outputs for four test images of $what.",
            # Said of when the question came up: the network may have been trained or opened since.
            quiz.MADE_UP: (
                f"Made-up outputs {for_label}: when this question came up, the network's outputs for images of $what "
                "all cost about the same, too alike to rank."
            ),
        }[question.kind]
        if question.kind == quiz.MADE_UP and self._number == 0:
            kind = f"Four made-up outputs {for_label}, of the lesson's four kinds."
        self.query_one("#quiz-title", Static).update(
            Content.from_markup(
                f"[b]Question {self._number + 1}[/b] · score [b]{self.state.quiz.right}[/b] of {self.state.quiz.asked} · "
                f"{_COST_NAMES[question.cost_name]}\n{kind}",
                what=self.state.a_class(question.label),
            )
        )
        test = self.state.data.test
        for i, option in enumerate(question.options):
            image = None if option.index is None else test.images[option.index] / 255.0
            self.query_one(f"#card-{i}", QuizCard).show(
                quiz.LETTERS[i],
                option.outputs,
                question.label,
                ranking.index(i),
                selected=i == self.selected,
                cost=option.cost if self.checked else None,
                image=image,
            )
        self.query_one("#ranking", Static).update(self._ranking_text())
        self.query_one("#verdict", Static).update(self._verdict())
        self.query_one("#explanations", Static).update(self._explanations())
        # Whether the answer needs scrolling is known once it is laid out.
        self.call_after_refresh(self.refresh_bindings)

    def _ranking_text(self) -> Content:
        # Content, not Rich's Text: the theme's colours by name, read when drawn, in the theme shown then.
        parts: list[str | tuple[str, str]] = ["your ranking\n", ("highest cost\n", "dim")]
        marks = quiz.placed_right(self.question.costs, self.ranking) if self.checked else [None] * len(self.ranking)
        for place, (i, mark) in enumerate(zip(self.ranking, marks)):
            parts += [f" {PLACES[place]}  ", (f" {quiz.LETTERS[i]} ", "bold reverse" if i == self.selected else "bold")]
            if mark is not None:
                parts.append((" ✓", "$text-success") if mark else (" ✗", "$text-error"))
            parts.append("\n")
        parts.append(("lowest cost", "dim"))
        return Content.assemble(*parts).stylize_before("bold")  # all of it bold, as its heading

    def _verdict(self) -> str:
        if not self.checked:
            return (
                "Rank them from highest cost (1st) to lowest (4th): [b]←/→[/b] or [b]a–d[/b] picks an option, "
                "[b]↑/↓[/b] moves it up or down your ranking, [b]enter[/b] checks."
            )
        if self.question.grade(self.ranking):
            return (
                f"[$text-success b]✓ Right![/] Score {self.state.quiz.right} of {self.state.quiz.asked}. "
                "[dim]enter: next question[/dim]"
            )
        order = ", ".join(quiz.LETTERS[i] for i in self.question.answer())
        return f"[$text-error b]✗ Not quite:[/] from highest to lowest cost it is {order}. [dim]enter: next question[/dim]"

    def _explanations(self) -> Content:
        if not self.checked:
            return Content()
        question, options = self.question, self.question.options
        # The core's words name the classes as written: plain text, never markup.
        lines = [
            Content.from_markup(f"[b]{quiz.LETTERS[i]}[/b] {options[i].cost:5.2f}  $note", note=options[i].note)
            for i in question.answer()
        ]
        return Content("\n").join([*lines, Content.from_markup(f"[dim]{quiz.SUMMARY[question.cost_name]}[/dim]")])

    def watch_view(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view
        self.refresh_bindings()
        # The guided lesson speaks of the view on show.
        self.post_message(self.Shown(self))

    def watch_checked(self, checked: bool) -> None:
        self.state.quiz.answer_shown = checked
        self.refresh_bindings()
        self._draw_quiz()
        # A new answer, or a new question, is read from its top; a redraw of the same one keeps its place.
        self.query_one("#answer").scroll_home(animate=False)
        # The guided lesson explains the answer only once it is given.
        self.post_message(self.Shown(self))

    def watch_selected(self) -> None:
        self._draw_quiz()

    def watch_ranking(self) -> None:
        self._draw_quiz()

    def watch_cost_name(self, cost_name: CostName) -> None:
        self.state.quiz.question = quiz.recost(self.question, cost_name)
        if self.is_mounted:
            self._draw_example()
            self._draw_quiz()
            self.measure()
            # The guided lesson speaks of the cost in use.
            self.post_message(self.Shown(self))

    def watch_split_name(self) -> None:
        self.refresh_bindings()
        self.measure()
        # The guided lesson speaks of the set the panel averages over.
        self.post_message(self.Shown(self))

    # Keys

    def action_view(self, view: str) -> None:
        self.view = view

    def action_browse(self, delta: int) -> None:
        self.state.chosen.browse(delta)  # which draws the example: see _input_changed

    def action_average_over(self, split_name: str) -> None:
        self.split_name = split_name

    def action_measure(self) -> None:
        self.measure(force=True)

    def _cross_entropy_allowed(self) -> bool:
        return self.state.network.output in costs.COMPATIBLE_OUTPUTS["cross-entropy"]

    def action_switch_cost(self) -> None:
        if self.cost_name == "cross-entropy":
            self.cost_name = "quadratic"
        elif self._cross_entropy_allowed():
            self.cost_name = "cross-entropy"
        else:
            self.notify(
                f"Cross-entropy needs softmax outputs, which add up to 1 like probabilities; "
                f"this network's outputs are {self.state.network.output}s.",
                title="Only the quadratic cost here",
                severity="warning",
            )

    def action_pick(self, delta: int) -> None:
        self.selected = (self.selected + delta) % len(quiz.LETTERS)

    def action_choose(self, option: int) -> None:
        self.selected = option

    def action_move(self, delta: int) -> None:
        ranking = list(self.ranking)
        here = ranking.index(self.selected)
        there = here + delta
        if 0 <= there < len(ranking):
            ranking[here], ranking[there] = ranking[there], ranking[here]
            self.ranking = tuple(ranking)

    def action_scroll_answer(self, delta: int) -> None:
        self.query_one("#answer", VerticalScroll).scroll_relative(y=delta, animate=False)

    def on_resize(self, event: events.Resize) -> None:  # LessonScreen's runs too: Textual calls each class's handler
        self.call_after_refresh(self.refresh_bindings)  # the answer may need scrolling at the new size, or no longer

    def action_check(self) -> None:
        self.state.quiz.checked(self.question.grade(self.ranking))
        self.checked = True

    def action_next_question(self) -> None:
        self._number += 1
        # The live network may be training: ask about a copy of it as it is now.
        self.state.quiz.question = quiz.next_question(
            self._number, self.state.network.copy(), self.state.data.test, self.cost_name, self._quiz_rng(), self._names()
        )
        # Set quietly: unchecking below draws the new question once.
        self.set_reactive(CostScreen.selected, 0)
        self.set_reactive(CostScreen.ranking, tuple(range(len(quiz.LETTERS))))
        self.checked = False
