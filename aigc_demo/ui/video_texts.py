"""The Video page's words, each as (English, 中文)."""

TEXTS = {
    "tab_video": ("Video", "视频"),
    "video_intro": (
        "A world model watches the first few frames of a clip and **dreams** what happens next. It is "
        "the two models of the other pages working together: a VAE turns each frame into a small map "
        "of numbers, and a recurrent network (an RNN) learned how those numbers change from one frame "
        "to the next. On the left, what really happens; on the right, the dream.",
        "世界模型看一段视频的前几帧，然后**想象**接下来会发生什么。它是其他页面的两个模型的合作："
        "VAE 把每一帧变成一小张数字地图，循环神经网络（RNN）学会了这些数字如何从一帧变到下一帧。"
        "左边是真实发生的，右边是模型的梦。",
    ),
    "video_model": ("World model", "世界模型"),
    "video_start": ("Start from", "从哪里开始"),
    "video_start_examples": (
        "Real handwritten digits (never seen in training)",
        "真实的手写数字（训练中从未见过）",
    ),
    "video_start_image": (
        "The Image page's digit (its seed and sliders)",
        "图像页面的数字（它的种子和滑块）",
    ),
    "video_start_drawing": ("Your drawing", "你画的数字"),
    "video_digits": ("How many digits move", "几个数字在动"),
    "video_seed": ("Clip seed", "片段种子"),
    "video_seed_info": (
        "Which digits, where they start, which way they go",
        "哪些数字、从哪里出发、往哪个方向",
    ),
    "video_random": ("Random clip", "随机片段"),
    "video_seen": ("Frames the model is shown", "给模型看的帧数"),
    "video_frames": ("Frames it dreams", "它想象的帧数"),
    "video_temperature": ("How freely it dreams (temperature)", "想象的自由度（温度）"),
    "video_temperature_info": (
        "0: its single best guess, which blurs as it grows unsure; higher: one possible future drawn at "
        "random, speckled and wilder.",
        "0：它最有把握的猜测，越不确定越模糊；更高：随机抽出的一种可能的未来，更斑驳、更离谱。",
    ),
    "video_image_seed": ("Image page seed", "图像页面的种子"),
    "video_ink": ("Ink: thinner ↔ bolder", "笔画：更细 ↔ 更粗"),
    "video_slant": ("Slant: left ↔ right", "倾斜：向左 ↔ 向右"),
    "video_width": ("Width: narrower ↔ wider", "宽度：更窄 ↔ 更宽"),
    "video_dream": ("Dream", "开始想象"),
    "video_strip": ("Frames: real above, dream below · AI-generated", "逐帧：上为真实，下为梦 · AI 生成"),
    "video_clip": ("Real (left) and dreamed (right) · AI-generated", "真实（左）与想象（右）· AI 生成"),
    "video_how": (
        "The first frames of both are the same: the model is shown them. After that, the right-hand side "
        "is the model's own: each frame comes from the one it imagined before.",
        "两边的前几帧相同：那是给模型看的。之后右边完全出自模型：每一帧都来自它上一帧的想象。",
    ),
}
