"""The guided lesson: the story, one short beat at a time.

Each beat opens a step of the lesson in the state it talks about, says one
thing, and invites one action. The text is written to be read in a few
seconds, beside the screen it describes; while the guide shows it, the
screen's own explanatory text steps aside, so the picture the beat is about
keeps its room. A beat whose words depend on what the learner did (trained
the network or not, answered the quiz or not) says what is actually there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdtui.core import minibatch, quiz
from gdtui.core.network import Network
from gdtui.core.words import count, counted, percent
from gdtui.ui.screens.cost import CostScreen
from gdtui.ui.screens.training import TrainingScreen

if TYPE_CHECKING:
    from gdtui.ui.screens.backprop import BackpropScreen
    from gdtui.ui.screens.base import LessonScreen
    from gdtui.ui.state import LessonState

Words = str | Callable[["LessonState", "LessonScreen"], str]

# A network that reads at least this share of the test digits right has learned something worth showing.
LEARNED = 0.5


@dataclass(frozen=True)
class Beat:
    mode: str  # the step of the lesson it opens
    title: Words
    text: Words  # {params}, {sizes}, {flow}, {train}, {test}, {layout} and the like are filled in from the current state
    invite: Words  # the one thing to try; empty when the text is all there is to read
    # Actions run on the beat's step, in order, to put it in the state the beat is about: "view('quiz')"
    # runs the step's screen's action_view("quiz"), as its key would.
    prepare: tuple[str, ...] = ()
    shows: tuple[str, ...] = ()  # the widgets the beat is about: on screen even at 80×24, even if the guide hides their like


_DATASET_DIGIT = ("use_dataset",)
# The digit flowing into the network, not a neuron's weights shown in its place.
_INPUT_DIGIT = (*_DATASET_DIGIT, "show_input")
# The gradient over the images of the next step, which the beats leave to the learner to take.
_GRADIENT = ("set_view('gradient')",)


def _curve(choice: int, start: float | None = None, learning_rate: float | None = None) -> tuple[str, ...]:
    """A textbook function of a descent step, its ball back at the start (or at `start`), unstepped,
    with the function's own learning rate (or `learning_rate`)."""
    return (f"set_function({choice}, {start!r}, {learning_rate!r})",)


def _cost_text(state: LessonState, screen: LessonScreen) -> str:
    """The cost the Cost step shows, over the set its panel averages over: t and f change them, and the words follow."""
    if isinstance(screen, CostScreen) and screen.view == "quiz":  # v opened the quiz: its question, in as few rows
        return _quiz_text(state, screen)
    split, cost = (screen.split_name, screen.cost_name) if isinstance(screen, CostScreen) else ("test", "quadratic")
    images, name = (len(state.data.test), "test") if split == "test" else (len(state.data.train), "training")
    how = (
        "the cost adds up the squares of the differences"
        if cost == "quadratic"
        else "cross-entropy, the cost in use, is −ln of the right output"
    )
    words = (
        "To improve it, first measure how badly it does. For the digit shown we want its output at 1 and the "
        f"other {{others}} at 0; {how}. Averaged over the {images:,} {name} images, "
        "that is the network's cost: low when it does well, high when it makes many mistakes."
    )
    return filled(words, state, screen)


def _quiz_text(state: LessonState, screen: LessonScreen) -> str:
    """The question until it is answered; then, and only then, why the costs come out as they do."""
    question = state.quiz.question
    if question is None or not state.quiz.answer_shown:
        # The question on screen, whichever it is: the first, or one asked since.
        label = min(quiz.CLASSIC_LABEL, len(state.data.classes) - 1) if question is None else question.label
        shown = (
            f"Four test images of {state.a_class(label)}, and the network's real outputs for each, a to d"
            if question is not None and question.kind == quiz.REAL
            else f"The network was shown {state.a_class(label)} and could have answered in any of these four ways, a to d"
        )
        return (
            f"{shown}: the {state.class_name(label)}'s output is marked ◀. Which answer costs most, which least? "
            "Think, rank, then check."
        )
    # A row an option at 80 columns: its cost, as the table above gives it, and the note.
    lines = [f"{quiz.LETTERS[i]}  {question.options[i].cost:.2f}  {question.options[i].note}" for i in question.answer()]
    # The point first: the notes below it run long with long class names, and the guide's last rows are the ones cut.
    return "\n".join([quiz.SUMMARY[question.cost_name], *lines])


def _cost_invite(state: LessonState, screen: LessonScreen) -> str:
    if isinstance(screen, CostScreen) and screen.view == "quiz":
        return _quiz_invite(state, screen)
    return "Press n to see the cost of other digits."


def _quiz_invite(state: LessonState, screen: LessonScreen) -> str:
    if state.quiz.answer_shown:
        return ""
    return "Rank them: ←/→ or a–d picks one, ↑/↓ moves it, enter checks."


_LEARNING = (
    "Each step takes a small batch of training digits, computes the gradient over them and moves every "
    "parameter a little downhill. Thousands of small steps later, the cost has fallen and the network "
    "reads digits."
)


def _learned(state: LessonState) -> bool:
    """Whether the network as it is now reads enough of the test digits right to have learned something."""
    if state.untrained:
        return False
    right, total = reads_right(state)
    return right >= LEARNED * total


def _share(right: int, total: int) -> str:
    """A share of the test images read right, as the Training step's header gives it: one figure, one rounding."""
    return percent(right / total)


def _fall(state: LessonState) -> str:
    """What the run's own cost curve shows, as the Training step last drew it, or nothing before it has steps to show:
    since weights were last put back, as the curve before ends in steps that were undone."""
    shot = state.training.shown  # read, not taken: a beat's words leave the screen's frames as they are
    if shot is None:
        return "."
    costs = [cost for step, cost in zip(shot.curve_steps, shot.curve_costs) if step > shot.resumed_at]
    steps = shot.steps - shot.resumed_at
    third = len(costs) // 3
    if not third:  # no step yet, or too few to tell a trend from a mini-batch's noise
        return "."
    first, middle, last = (float(np.mean(part)) for part in (costs[:third], costs[third:-third], costs[-third:]))
    if last >= first:
        span = f"the {steps:,} steps since weights were put back" if shot.resumed_at else f"its {steps:,} steps here"
        return f"; over {span} its cost has not fallen."
    return "; its cost falls by less and less." if first - middle > middle - last else "; its cost is still falling fast."


def _broken(state: LessonState) -> bool:
    """Whether the run, as the Training step last drew it, finds that its steps have left the network unable to
    learn (a step refused on weights that can learn leaves it as it was)."""
    shot = state.training.shown
    if shot is None:
        return False
    verdict = shot.verdict
    return verdict.kind in ("failing", "stuck") or (verdict.kind == "diverged" and verdict.good is not None)


def _running(screen: LessonScreen) -> bool:
    return isinstance(screen, TrainingScreen) and screen.running


def _learning_text(state: LessonState, screen: LessonScreen) -> str:
    if state.untrained:
        return _LEARNING
    if _running(screen):  # each step changes the network: a figure of it "right now" would be stale at once
        ending = (
            ", but steps too large have left the network unable to learn."
            if _broken(state)
            else ": the lines above count its steps, and say when the test accuracy there was measured."
        )
        return f"Each step moves every parameter a little downhill. The run is going{ending}"
    right, total = reads_right(state)
    # Three lines at 80 columns: with the title and the invitation, all the guide's rows.
    chance = total / len(state.data.classes)
    if _broken(state):
        ending = ": steps too large have left it unable to learn."
    elif right < 1.5 * chance:  # a step or two moved it, and taught it nothing yet
        ending = ", no better than chance: the fall is still to come."
    else:
        ending = _fall(state)
    return (
        f"Each step moves every parameter a little downhill. This network is {state.network_origin}: it reads "
        f"{right:,} of the {total:,} test images right now ({_share(right, total)}){ending}"
    )


def _learning_invite(state: LessonState, screen: LessonScreen) -> str:
    if _broken(state):  # the message names the keys, which depend on whether the run goes on
        return "Do as the message above says; then e runs to the epoch's end."
    if state.training.after_going_back():
        return "As the message above says, - lowers η first; then e runs to the epoch's end."
    if _running(screen):
        return "Watch the cost fall as it runs; then . to see what it learned."
    # f cycles the speeds: pressed at full speed it would slow the epoch to a step a second.
    at_full_speed = state.training.speed == 0
    first = (
        "Press e to run to the epoch's end"
        if at_full_speed
        else "Press f until the speed reads full speed, then e to run to the epoch's end"
    )
    watch = "and see how much the cost still falls" if _learned(state) else "and watch the cost fall"
    return f"{first}, {watch}; then . to see what it learned."


def _big_gradient_text(state: LessonState) -> str:
    """Why a large ∂C/∂w gets a large step; of a gradient that has all but vanished, or is 0, that none does:
    of the gradient the view shows."""
    report = state.training.shown_report()
    if report is None or not (report.vanished or not report.gradient.any()):
        return (
            "Some parameters matter far more than others, and the gradient says which. A step moves each by "
            "−η·∂C/∂w (that column: the step n takes, on the next mini-batch). A large ∂C/∂w, a weight that "
            "really matters, gets a bigger adjustment; a small one, a smaller adjustment."
        )
    here = (
        f"it has all but vanished (|∇C| = {report.norm:.2g}): no parameter matters much, and a step moves each by "
        f"−η·∂C/∂w (that column: the step n takes, on the next mini-batch), almost nothing."
        if report.vanished
        else "it is 0: on the next mini-batch no parameter has any slope, and a step moves none of them."
    )
    return f"Some parameters usually matter far more than others, and the gradient says which. Here {here}"


def _sampled(state: LessonState) -> str:
    """The images the Next step measures the cost over, by their numbers."""
    # Imported when a beat first speaks of it, as the app imports a step's screen when it is first
    # opened (see tests/unit/test_launch.py).
    from gdtui.ui.screens.next import SAMPLE

    count = min(SAMPLE, len(state.data.train))
    return f"{count} training images #0–{count - 1}"


def reads_right(state: LessonState) -> tuple[int, int]:
    """How many of the test digits the network as it is now reads right, of how many."""
    test = state.data.test

    def right(network: Network) -> int:
        return int(np.count_nonzero(network.predict(test.inputs(slice(None))) == test.labels))

    # A beat's title, words and invitation may each ask: the whole test set, once for each network.
    return state.figure("reads right", right), len(test)


def _weights_text(state: LessonState) -> str:
    """What the parameters are now: random numbers, or a network that was trained or opened."""
    params = f"{state.network.num_params:,}"
    if state.untrained:
        return (
            f"Those {params} parameters decide everything the network does, and so far they are random numbers. "
            "With random weights the outputs are utter trash: the brightest one is a guess at best."
        )
    right, total = reads_right(state)
    return (
        f"Those {params} parameters decide everything the network does. These are not random: the network is "
        f"{state.network_origin}, and reads {right:,} of the {total:,} test images right ({_share(right, total)}). "
        f"Random weights are utter trash, right about {1 / len(state.data.classes):.0%} of the time, by chance."
    )


def _trained_text(state: LessonState, screen: LessonScreen) -> str:
    right, total = reads_right(state)
    share = f"{right:,} of the {total:,} test digits ({_share(right, total)})"
    if right >= LEARNED * total:
        return (
            f"The same network ({state.network_origin}) now reads {share} right. The outputs say something: "
            "for most digits the right one lights up, the rest stay dark."
        )
    how = "It has not been trained and" if state.untrained else f"It is {state.network_origin} and"
    # An epoch's end, where Training measures the test set: during a run its figure stays that of the last one.
    return (
        f"{how} reads only {share} right: its outputs still mean little. Go back with , and train to an "
        f"epoch's end (e), where the test accuracy is measured, until it passes {LEARNED:.0%}; then come back "
        "here with . to see what it learned."
    )


def _part_one_end_text(state: LessonState, screen: LessonScreen) -> str:
    recap = f"{state.network.num_params:,} parameters, a cost that says how wrong they are, and gradient descent lowering it"
    if _learned(state):
        return (
            f"You have seen a network learn: {recap} one step against the gradient at a time. Next up: backpropagation, "
            "the algorithm that computes that gradient."
        )
    # The training skipped, or cut short: a network at chance has learned nothing to see.
    right, total = reads_right(state)
    return (
        f"You have seen how a network learns: {recap} step by step; this one, {right:,} of the {total:,} test images "
        f"right, has yet to (6, then space). Next up: backpropagation, which computes that gradient."
    )


def _trained_title(state: LessonState, screen: LessonScreen) -> str:
    learned = _learned(state)
    if state.from_random:  # it began as the random trash of the weights' beat
        return "Not trash any more" if learned else "Still trash"
    return "What it learned" if learned else "Not learned yet"


def _trained_invite(state: LessonState, screen: LessonScreen) -> str:
    if _learned(state):
        return "Press n to try it on other test digits; press 1 and d to draw one of your own."
    return "Press , to go back to the training."


# -- Part two: backpropagation, on the Backprop step ------------------------------------------------------
#
# Its beats speak of the figures the Backprop step shows for the image and output neuron it is on: the same
# core functions give the words their numbers. Away from that step (the guide then shows one line) they say nothing.


def _backprop(words: Callable[[BackpropScreen], str]) -> Callable[[LessonState, LessonScreen], str]:
    def text(state: LessonState, screen: LessonScreen) -> str:
        # Imported only now, as _sampled's constant is.
        from gdtui.ui.screens.backprop import BackpropScreen

        return words(screen) if isinstance(screen, BackpropScreen) else ""

    return text


def _wish_list_text(screen: BackpropScreen) -> str:
    _, w = screen.image_wishes()
    j, out = w.label, w.layers
    right = screen.output_name(j)
    start = (
        f"Backpropagation starts from one training image, here {screen.state.a_class(j)}. For the cost to fall, "
        f"output {right} should rise to 1, the {count(len(w.target) - 1)} others fall to 0, each as much as it misses: "
    )
    if w.cost == "quadratic":
        return start + (
            f"the wish −∂C₀/∂a = −2(a − y), C₀, the cost of this one image, being Σ(a − y)². Output {right} is at "
            f"{w.a[out][j]:.4f}: its wish is {w.wish_a[out][j]:+.4g}."
        )
    return start + (
        f"with softmax and cross-entropy the wish is y − a on z, C₀, the cost of this one image, being −ln a. "
        f"Output {right}: a = {w.a[out][j]:.4f}, its wish is {w.wish_z[out][j]:+.4g}."
    )


def _neuron_text(screen: BackpropScreen) -> str:
    _, w = screen.image_wishes()
    out, j = w.layers, screen.neuron
    name, z, a = screen.output_name(j), float(w.z[out][j]), float(w.a[out][j])
    start = f"Take output {name} alone. Its weighted input z = Σ wₖaₖ + b adds up what the layer before sends: {z:+.4g}. "
    if w.network.output == "sigmoid":
        return start + (
            f"σ squashes any z into 0–1: a = σ(z) = {a:.4f}. C₀ adds up (a − y)² over the outputs. σ'(z) = "
            f"a(1 − a) = {float(w.slope(out)[j]):.4f} is how far a moves per unit of z: the sigmoid's own slope."
        )
    return start + (
        f"Softmax shares 1 among the outputs: a = e^z / Σ e^z = {a:.4f}. With cross-entropy, C₀ = −ln a_right, "
        "the formula in use, z moves C₀ by a − y: no separate slope of a."
    )


def _levers_text(screen: BackpropScreen) -> str:
    _, w = screen.image_wishes()
    out, j = w.layers, screen.neuron
    name = screen.output_name(j)
    if w.network.output == "sigmoid":
        how = "a moves σ'(z) per unit of z, so its wish on z is σ'(z) × its wish on a"
    else:
        how = "with softmax and cross-entropy its wish on z is y − a"
    if out == 1:  # no hidden layer: what feeds it are the pixels, which no wish moves
        before = "bright pixels' weights matter most; 3 the pixels, by wₖ × that wish, though nothing can change them."
    else:
        before = "bright neurons' weights matter most; 3 each activation aₖ before, by wₖ × that wish."
    return (
        f"Output {name} moves only through z = Σ wₖaₖ + b; {how}: {w.wish_z[out][j]:+.4g}. Its levers: "
        f"1 its bias, by that wish; 2 each weight wₖ, by aₖ × that wish: {before}"
    )


def _many_images_text(screen: BackpropScreen) -> str:
    network, w = screen.image_wishes()
    many = screen.many_images(network, w)
    return (
        "One image's wishes would make the network good at that image alone; every image wants something else. "
        f"Here {len(many.each)} images' wishes for one weight into output {screen.output_name(many.j)}: "
        f"their average, {many.average:+.6g}, is −∂C/∂w over them, backprop's {many.component:+.6g} turned downhill."
    )


def _race_text(state: LessonState, screen: LessonScreen) -> str:
    full = min(minibatch.FULL_BATCH, len(state.data.train))
    batch = min(minibatch.BATCH_SIZE, full)
    return (
        "Averaging every image's wishes before each step is exact but slow. Stochastic gradient descent averages "
        "a few drawn at random: each step a little off, far cheaper. On two of this network's parameters, x and y, "
        f"the rest held still, a careful walker ({full:,} images a step) and a hurried one ({batch:,}) set off."
    )


def _chain_text(screen: BackpropScreen) -> str:
    network, w = screen.image_wishes()
    chain = screen.chain_rule(w)
    if chain is None:
        return "This network has no hidden layer: its outputs' weights are all there is."
    name = screen.output_name(chain.j)
    start = (
        f"One weight w, from neuron {chain.k} of layer {w.layers - 1} to output {name}: z = w·a(L−1) + b. "
        f"Nudge w, and z moves by a(L−1) = {chain.a_prev:+.6g} per unit; "
    )
    if chain.slope is not None and chain.cost_slope is not None:
        return start + (
            f"z moves a = σ(z) by σ'(z) = {chain.slope:+.6g}; a moves C₀ = Σ(a − y)² by 2(a − y) = "
            f"{chain.cost_slope:+.6g}. ∂C₀/∂w is their product, {chain.weight_derivative:+.6g}."
        )
    return start + (
        f"with softmax and cross-entropy z moves C₀ by a − y = {chain.dz:+.6g}. ∂C₀/∂w is their product, "
        f"{chain.weight_derivative:+.6g}."
    )


def _further_back_text(screen: BackpropScreen) -> str:
    network, w = screen.image_wishes()
    chain = screen.chain_rule(w)
    if chain is None:
        return "This network has no hidden layer: there is no layer further back."
    return (
        f"The same chain one layer back: through output {screen.output_name(chain.j)} alone, neuron {chain.k} "
        f"of layer {w.layers - 1} moves C₀ by w × ∂C₀/∂z, which is ∂C₀/∂b above (b moves z one for one): "
        f"{chain.path:+.6g}. It feeds every output, so ∂C₀/∂a(L−1) is the sum over them, "
        f"{chain.activation_derivative:+.6g}: the last factor of a weight into it."
    )


def _averaged_text(screen: BackpropScreen) -> str:
    network, w = screen.image_wishes()
    many = screen.many_images(network, w)
    return (
        # The table beside gives the wishes, −∂C₀/∂w: the sign turned says why the two averages differ in it.
        "The cost C is the average of C₀ over the images, so ∂C/∂w is the average of their ∂C₀/∂w, "
        "each a wish with its sign turned: "
        f"{-many.average:+.6g} over these {len(many.each)}, backprop's {many.component:+.6g}. "
        f"The gradient is all {network.num_params:,} such averages, which backpropagation finds in one pass."
    )


def _flow_text(screen: BackpropScreen) -> str:
    last = screen.state.network.layer_count - 1  # the last hidden layer
    if last == 0:
        return (
            "This network has no hidden layer: its outputs' wishes go straight to their own weights and biases, "
            "and there is no layer before them to pass a wish back to."
        )
    text = f"Layer {last} cannot be set, only asked: each neuron's wish adds up what the outputs ask of it, weight × wish on z."
    if last == 1:
        return text
    return text + (" Layer 1 hears layer 2 alike." if last == 2 else f" Layers {last - 1} to 1 hear alike.")


def _hidden_invite(words: str) -> Callable[[LessonState, LessonScreen], str]:
    """An invitation about the last hidden layer, which it names; none for a network without one."""

    def invite(state: LessonState, screen: LessonScreen) -> str:
        last = state.network.layer_count - 1
        return words.format(layer=last) if last else ""

    return invite


def _sum_text(screen: BackpropScreen) -> str:
    _, w = screen.image_wishes()
    layer = w.layers - 1
    if layer == 0:
        return "This network has no hidden layer: no neuron adds up what the outputs ask of it."
    k = screen.hidden_neuron(w)
    return (
        f"Neuron {k} of layer {layer} feeds all {w.network.sizes[-1]} outputs, so ∂C₀/∂aₖ = Σⱼ wⱼₖ · ∂C₀/∂zⱼ: "
        f"beside, term by term, as a wish −∂C₀/∂aₖ = {w.wish_a[layer][k]:+.3g}."
    )


def _four_equations_text(screen: BackpropScreen) -> str:
    network, w = screen.image_wishes()
    chain = screen.chain_rule(w)
    if chain is None:
        return "This network has no hidden layer: BP1, BP3 and BP4 are all there is."
    # ∂C₀/∂w = a(L−1)·δ: beside a neuron of the layer before that is all but fully on, the two agree.
    agree = " ≈ δ, as a(L−1) ≈ 1" if abs(chain.a_prev - 1) < 0.01 else ""
    # Its δ, not shown, then reads like the ∂C₀/∂w a layer back, a few digits apart: why, in the rows the pointer to
    # the code would take.
    close = (
        ", × a(L−2) ≈ 1, the ∂C₀/∂w shown." if abs(chain.a_prev_prev - 1) < 0.01 else ". On 7 Next, b Code shows them in Python."
    )
    # Four lines at 80 columns with the longest numbers: the closing line under them must stay on screen.
    return (
        f"Backprop's four equations, marked on screen: BP1 δ = ∂C₀/∂z = {chain.dz:+.6g}, minus the wish on z; "
        f"BP3 ∂C₀/∂b = δ; BP4 ∂C₀/∂w = a(L−1)·δ = {chain.weight_derivative:+.6g}{agree}; BP2 δ of neuron "
        f"{chain.k} a layer back = (Σⱼ wⱼₖδⱼ) × its slope, both marked, = {chain.hidden_delta:+.6g}{close}"
    )


PART_TWO = (
    Beat(
        "backprop",
        "Part two: one image, one wish list",
        _backprop(_wish_list_text),
        "Press n to see other images' wish lists.",
        ("set_view('outputs')", "browse(0)"),
        ("#outputs", "#outputs-words"),
    ),
    Beat(
        "backprop",
        "The smallest piece: one output neuron",
        _backprop(_neuron_text),
        "[ and ] take another output; the levers come next.",
        # The output the wish list marked, or another picked there: "the one the next views take apart".
        ("set_view('neuron')",),
        ("#neuron",),
    ),
    Beat(
        "backprop",
        "Three levers of one output neuron",
        _backprop(_levers_text),
        "The table ranks the weights by lever 2.",
        ("set_view('levers')",),
        ("#levers",),
    ),
    Beat(
        "backprop",
        "Wishes flow backwards",
        # Its view is 17 rows of wishes: the words keep to three lines, or the lists lose their last neurons.
        _backprop(_flow_text),
        _hidden_invite("] picks whose sum is shown. This flow backwards is backpropagation."),
        ("set_view('layers')", "browse(0)"),
        ("#layers",),  # the lists of the last hidden layers the network has, beside the sum
    ),
    Beat(
        "backprop",
        "Every image wants something else",
        _backprop(_many_images_text),
        "n starts from the next image, and takes a weight into its own output.",
        ("set_view('images')", "browse(0)"),
        ("#images",),
    ),
    Beat(
        "backprop",
        "Mini-batches: stumble down fast",
        _race_text,
        "Press n to step both, space to run; compare the images each needed.",
        ("set_view('minibatch')",),
        ("#race-map", "#race"),
    ),
    Beat(
        "backprop",
        "The chain rule: three factors",
        _backprop(_chain_text),
        "The finite difference above checks the product.",  # above these words: the guide is at the bottom
        ("set_view('chain')", "browse(0)"),
        ("#chain",),
    ),
    Beat(
        "backprop",
        "One layer further back",
        _backprop(_further_back_text),
        "p and n: the same chain for another image.",
        ("set_view('chain')", "browse(0)"),
        ("#chain-back",),
    ),
    Beat(
        "backprop",
        "Averaged over the images",
        _backprop(_averaged_text),
        "n starts from the next image: the average and backprop still agree.",
        ("set_view('images')", "browse(0)"),
        ("#images",),
    ),
    Beat(
        "backprop",
        "More neurons a layer",
        # As in the layers' beat above: three lines of words at most, with room for longer numbers.
        _backprop(_sum_text),
        _hidden_invite("] sums for another neuron of layer {layer}."),
        ("set_view('layers')", "browse(0)"),
        ("#terms", "#layers"),
    ),
    Beat(
        "backprop",
        "Back to the four equations",
        _backprop(_four_equations_text),
        "The end. R starts the lesson again, L hides the guide, q quits.",
        ("set_view('chain')", "browse(0)"),
        ("#chain", "#chain-back"),
    ),
)


BEATS = (
    Beat(
        "digits",
        "Gradient descent: how a network learns",
        "Welcome! Gradient descent is the algorithm that teaches machines to recognise patterns. We want a "
        "network that looks at {a handwritten digit}, like this one, and says which {digit class} it is, learnt "
        "from {train} examples.",
        "Press n to see more of the {digit}s it will learn from.",
        ("use_set('train')",),
        ("#image",),
    ),
    Beat(
        "digits",
        "A {digit} is {pixels} numbers",
        "To a computer this {handwritten digit} is a grid of {shape} brightness values, from 0.0 for "
        "black to 1.0 for white. Those {pixels} numbers are all the network will ever see of it.",
        "Move the cursor with the arrow keys and watch the numbers change.",
        _DATASET_DIGIT,
        ("#numbers",),
    ),
    Beat(
        "network",
        "A network of {sizes}",
        "The {pixels} values feed {flow}, one per {digit class}. "
        "Every connection has a weight and every neuron a bias: {params} parameters in all.",
        "Press n to show the network other digits.",
        _INPUT_DIGIT,
        ("#architecture", "#input", "#bars"),
    ),
    Beat(
        "network",
        lambda state, screen: "Random weights, utter trash" if state.untrained else "The weights decide everything",
        lambda state, screen: _weights_text(state),
        lambda state, screen: (
            "Press r for another random network: still trash." if state.untrained else "Press n to show it other images."
        ),
        (),
        ("#output",),
    ),
    Beat(
        "cost",
        "How bad is it? The cost",
        _cost_text,
        _cost_invite,
        ("view('example')",),
        ("#table", "#formula"),
    ),
    Beat(
        "cost",
        "Which answer costs most?",
        _quiz_text,
        _quiz_invite,
        ("view('quiz')",),
        ("#quiz-row", "#verdict"),
    ),
    Beat(
        "cost",
        "The goal",
        "The cost of the whole network is one number, and it depends on all {params} parameters. Now we have "
        "a clear goal: find the values of the {params} parameters that make it as small as it will go. The "
        "rest of the lesson is how.",
        "The whole network's cost is on the right: that is the number to bring down.",
        ("view('example')",),
        ("#whole",),
    ),
    Beat(
        "one",
        "Downhill, one parameter at a time",
        "Imagine the cost depended on one parameter: a curve, whose minimum we want. For a simple curve we "
        "could solve slope = 0; for {params} parameters we cannot. So we step: move against the slope, by the "
        "slope times a learning rate η.",
        "Press n a few times and watch the steps shrink as the slope flattens.",
        _curve(0),
        ("#plot", "#numbers", "#solved"),
    ),
    Beat(
        "one",
        "Too big a step",
        "The learning rate sets the step. Too small and descent crawls; too large and it overshoots: the "
        "ball jumps past the bottom and lands higher up on the other side, farther each time.",
        "η is 1.2 here: press n again and again, and watch each bounce land higher.",
        # On this parabola a step multiplies the distance to the bottom by 1 − 2η: by −1.4 here, so
        # the bounces grow for six steps before one leaves the picture (η = 2 leaves it on the first).
        _curve(0, start=1.5, learning_rate=1.2),
        ("#plot", "#verdict"),
    ),
    Beat(
        "one",
        "Where you start decides the valley",
        "This curve has two valleys, with a hilltop between them. Descent only ever goes downhill from "
        "where it stands, so where you start decides which valley you end in.",
        "Press space to roll; then → five times, past the hilltop, and space again.",
        _curve(1, start=0.5),
        ("#plot", "#verdict", "#solved"),
    ),
    Beat(
        "two",
        "Two parameters: hills and valleys",
        "With two parameters the cost is a landscape. Slope becomes a vector, the gradient: it points the "
        "way that climbs fastest, so its negative points downhill. Gradient descent walks downhill step by step.",
        "Press n to take steps and follow the path on the map.",
        _curve(0),
        ("#map", "#numbers"),
    ),
    Beat(
        "training",
        "One vector of {params} numbers",
        "The same works in {params} dimensions, though we cannot draw them. All weights and biases are one "
        "vector ({layout}); the gradient ∇C says which way to nudge each.",
        "↑/↓ picks a parameter, ] nudges it: the cost moves by about ∂C/∂w·Δw.",
        _GRADIENT,
        ("#gradient-summary", "#ranking", "#nudge"),
    ),
    Beat(
        "training",
        "Big gradient, big step",
        lambda state, screen: _big_gradient_text(state),
        "Compare the ∂C/∂w and −η·∂C/∂w columns; n takes a step.",
        _GRADIENT,
        ("#gradient-summary", "#ranking"),
    ),
    Beat(
        "training",
        "Learning",
        _learning_text,
        lambda state, screen: _learning_invite(state, screen),
        ("set_view('progress')",),
        ("#plot",),
    ),
    Beat(
        "network",
        _trained_title,
        _trained_text,
        _trained_invite,
        # Its words quote the test digits: so does the digit shown, one the network never trained on.
        ("use_set('test')", "show_input"),
        ("#architecture", "#input", "#output"),
    ),
    Beat(
        "next",
        "Next: backpropagation",
        lambda state, screen: (
            "Learning is finding the parameters that minimise the cost. What remains is how to compute the gradient "
            f"quickly. Nudging each parameter both ways works, but takes two passes over the {_sampled(state)} per "
            "parameter; backpropagation needs one forward and one back for all of them."
        ),
        "The timing of both is above; n compares another parameter.",
        (),
        ("#check", "#timing"),
    ),
    Beat(
        "next",
        "End of part one: what comes next",
        _part_one_end_text,
        "Press . for part two: how backpropagation does it, on this very network.",
        (),
        ("#summary", "#timing"),
    ),
    *PART_TWO,
)


def layout(sizes: tuple[int, ...]) -> str:
    """Where each layer's weights and biases sit in the flat vector of parameters: 'w1 #0…12,543; b1 …12,559; …'.
    Each separator ends a part: wrapped, no line begins with one."""
    parts, start = [], 0
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        for name, many in (("w", n_in * n_out), ("b", n_out)):
            first = f"#{start:,}" if start == 0 else ""
            parts.append(f"{name}{layer} {first}…{start + many - 1:,}")
            start += many
    return "; ".join(parts)


def flow(sizes: tuple[int, ...]) -> str:
    """What the input feeds, layer by layer: '16 neurons, which feed 16 more, which feed 10 outputs'."""
    hidden, outputs = sizes[1:-1], f"{sizes[-1]:,} outputs"
    if not hidden:
        return f"the {outputs} directly"
    layers = [counted(hidden[0], "neuron")]
    layers += [f"{n:,} more" if n == before else f"{n:,}" for before, n in zip(hidden, hidden[1:])]
    return ", which feed ".join([*layers, outputs])


def filled(words: Words, state: LessonState, screen: LessonScreen) -> str:
    """The words as they stand now, on `screen`, with the current network's and data's figures, and
    words that do not call another set's images digits. A beat's own function already speaks of the live state."""
    if callable(words):
        return words(state, screen)
    network, data = state.network, state.data
    rows, cols = data.image_shape
    names = {
        "digit": "digit" if state.numbered else "image",
        "handwritten digit": "handwritten digit" if state.numbered else "image",
        "digit class": "digit" if state.numbered else "class",
        "a handwritten digit": "a handwritten digit" if state.numbered else "an image",
    }
    return words.format_map(
        {
            "params": f"{network.num_params:,}",
            "sizes": "-".join(map(str, network.sizes)),
            "pixels": f"{data.pixels:,}",
            "shape": f"{rows}×{cols}",
            "flow": flow(network.sizes),
            "others": count(network.sizes[-1] - 1),  # the outputs beside the right one, in words
            "train": f"{len(data.train):,}",
            "test": f"{len(data.test):,}",
            "layout": layout(network.sizes),
            **names,
        }
    )
