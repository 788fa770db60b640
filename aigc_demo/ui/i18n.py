"""English and Simplified Chinese texts for the UI.

Static texts (labels, tab names) go through ``gr.I18n`` and follow the browser's language.
Texts that functions build at request time (cards, messages) use ``text()`` with the language
read from the request's ``Accept-Language`` header, from the same table.
"""

from __future__ import annotations

import hashlib
import json

import gradio as gr

from aigc_demo.recipes import RECIPES
from aigc_demo.ui.pages import HOME, PAGES, markdown_html, nav_html, prose

LANGUAGES = ("en", "zh-CN")

TRANSLATIONS: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "# AIGC Studio",
        "app_tagline": "Play with small generative models that run live on this machine: "
        "pictures, text, speech, and models you train yourself.",
        "tab_image": "Image",
        "tab_text": "Text",
        "tab_speech": "Speech",
        "tab_chat": "Chat",
        "chat_intro": "Talk with a small dialogue model trained here: an LSTM that reads the conversation "
        "one character at a time, with a pointer that can copy words from it. English (chat-en, casual "
        "chats) "
        "and Chinese (chat-zh, talk about films, music and travel). After a reply, click any of its "
        "characters to see what else the model considered and where in the conversation it looked.",
        "chat_box": "Conversation",
        "chat_note": "Replies are **AI-generated** by a small model: they can be wrong, odd or made up, "
        "and it remembers only the last few messages.",
        "chat_message_placeholder": "Your message (Enter sends)",
        "chat_placeholder": "Say something, or pick an example below.",
        "chat_message_label": "Your message",
        "chat_send": "Send",
        "chat_model": "Dialogue model",
        "chat_lens": "Probability lens of the last reply: darker = the model was surer (click a character)",
        "chat_lens_pick": "Click a character of the reply above to see the model's other candidates and "
        "where its pointer looked.",
        "chat_lens_at": "Character {position}: chosen **{char}** with probability {probability}; "
        "{copying} of the model's probability there came from copying the conversation.",
        "chat_attention": "Where the pointer looked: darker characters are the ones it offered to copy",
        "chat_branch": "Rewrite the reply from here with this character",
        "chat_end": "(end of reply)",
        "tab_train": "Train",
        "tab_about": "About",
        "nav_label": "Pages",
        "image_intro": "Drag a slider and watch the picture follow. Each slider moves the model's "
        "latent code along one of the directions in which its training images differ most; the seed "
        "picks the starting point.",
        "image_model": "Image model",
        "image_class": "Digit to draw",
        "image_seed": "Seed",
        "image_random": "Random",
        "image_reset": "Centre sliders",
        "image_truncation": "Truncation ψ (below 1: clearer, less varied)",
        "image_direction": "Direction",
        "image_direction_n": "Direction {number}",
        "image_dimension_n": "Latent dimension {number}",
        "image_axes": "Sliders move along",
        "image_axes_principal": "discovered directions",
        "image_axes_raw": "raw latent dimensions",
        "image_output": "Picture · AI-generated",
        "image_alt": "A picture drawn by {model}",
        "image_alt_digit": "A handwritten {digit}{lean}, drawn by {model}",
        "image_alt_lean_right": ", slanted right",
        "image_alt_lean_left": ", slanted left",
        "image_interpolate": "Interpolate: between two seeds, two digits or two drawings",
        "image_seed_b": "Seed B (A is the seed above)",
        "image_between": "Between",
        "image_between_seeds": "two seeds",
        "image_between_classes": "two digits (same seed; for models that draw a chosen digit)",
        "image_between_drawings": "your last two encoded drawings",
        "image_class_b": "Digit B (A is the digit above)",
        "image_frames": "Frames",
        "image_mode": "Path",
        "image_interpolate_go": "Make the animation",
        "image_animation": "Animation (GIF) · AI-generated",
        "image_strip": "Frames · AI-generated",
        "image_manifold": "Manifold grid",
        "image_pad": "Corner pad",
        "image_map": "Latent map",
        "image_map_info": "Where real test pictures lie in the model's latent space, coloured by class (the "
        "digit, or the shape) and flattened to the two directions that best tell the classes apart. Click a "
        "point to start from that picture's code; the ring marks where the picture is now.",
        "image_edit": "Edit your own digit",
        "image_sketch": "Draw a digit",
        "image_sketch_clear": "Clear",
        "image_upload": "…or upload a picture of one",
        "image_prepared": "As the model sees it",
        "image_encode": "Encode it: the sliders start from your digit",
        "image_corner_tl": "Top-left seed",
        "image_corner_tr": "Top-right seed",
        "image_corner_bl": "Bottom-left seed",
        "image_corner_br": "Bottom-right seed",
        "image_pad_x": "Left ↔ right",
        "image_pad_y": "Top ↔ bottom",
        "image_across": "Across",
        "image_down": "Down",
        "image_steps": "Steps each way",
        "image_manifold_go": "Draw the grid",
        "image_named": "Named directions",
        "image_trait_ink": "Ink (stroke weight)",
        "image_trait_slant": "Slant",
        "image_trait_width": "Width",
        "image_trait_size": "Size",
        "image_trait_rotation": "Rotation",
        "image_trait_x": "Left-right position",
        "image_trait_y": "Up-down position",
        "image_trait_hue": "Colour (hue)",
        "image_trait_fit": "{trait} (r = {fit})",
        "image_direction_named": "Direction {number} · {trait} (r = {fit})",
        "image_like": "More like digit",
        "image_strength": "Strength",
        "speech_intro": "Pick a digit, or type a number and press Say it. The seed picks a voice; "
        "the sliders move it along the directions in which the training voices differ most, each "
        "named after what it tracks when that fits (the number shows how well).",
        "speech_model": "Speech model",
        "speech_digit": "Say one digit",
        "speech_number": "Say a number",
        "speech_say": "Say it",
        "speech_seed": "Voice seed",
        "speech_random": "Random voice",
        "speech_reset": "Centre sliders",
        "speech_variety": "Voice variety (temperature)",
        "speech_variety_info": "Higher: voices as varied as the recorded speakers, but less often clear.",
        "speech_audio": "Listen · AI-generated voice",
        "speech_download": "Download WAV",
        "speech_spectrogram": "Spectrogram (time → , pitch ↑)",
        "voice_slider": "Voice direction",
        "voice_direction": "Voice direction {number}",
        "voice_labelled": "{factor}: {low} ↔ {high} ({measure} = {score})",
        "voice_factor_pitch": "Pitch",
        "voice_factor_length": "Length",
        "voice_factor_speaker": "Speaker",
        "voice_lower": "lower",
        "voice_higher": "higher",
        "voice_shorter": "shorter",
        "voice_longer": "longer",
        "text_intro": "Type the start of a text and press Write: the model continues it one character "
        "at a time. Then click any written character to see what else the model considered there, "
        "and continue the text from another choice.",
        "text_model": "Text model",
        "text_prompt": "Prompt",
        "text_prompt_placeholder": "ROMEO:",
        "text_write": "Write",
        "text_stop": "Stop",
        "text_length": "Characters to write",
        "text_temperature": "Temperature",
        "text_temperature_info": "Lower: safer, more repetitive. Higher: wilder, more mistakes.",
        "text_top_k": "Top-k (0 = off)",
        "text_top_k_info": "Draw only from the k likeliest characters.",
        "text_top_p": "Top-p (1 = off)",
        "text_top_p_info": "Draw only from the likeliest characters that together hold this much "
        "probability.",
        "text_seed": "Seed",
        "text_random": "Random seed",
        "text_samples": "Samples",
        "text_script": "Show Chinese as",
        "text_script_traditional": "Traditional",
        "text_script_simplified": "Simplified",
        "text_form": "Poem form",
        "text_form_info": "Free writes each poem in a form drawn from the training poems' own mix; a form "
        "is kept exactly: its lines, its punctuation, then the poem ends.",
        "text_form_free": "Free",
        "text_form_quatrain_5": "Five-character quatrain (五言絕句)",
        "text_form_quatrain_7": "Seven-character quatrain (七言絕句)",
        "text_form_regulated_5": "Five-character regulated verse (五言律詩)",
        "text_form_regulated_7": "Seven-character regulated verse (七言律詩)",
        "text_output": "Written text · AI-generated",
        "text_lens": "Probability lens: darker = the model was surer (first sample; click a character)",
        "text_candidates": "What the model considered at this character",
        "text_branch_choice": "Continue with",
        "text_branch": "Continue from here with this character",
        "text_sample_heading": "sample {number}",
        "text_lens_pick": "Click a written character above to see the model's other candidates.",
        "text_lens_at": "Character {position}: chosen **{char}** with probability {probability}; "
        "uncertainty {entropy} bits.",
        "text_newline": "⏎ new line",
        "text_space": "␣ space",
        "train_intro": "Train a model of your own on your own text: paste it or upload a .txt file, pick a "
        "size and a time budget, and press Start. The loss curves and samples from the same prompt update "
        "as it learns; Stop saves what it has learned so far. The model then appears in the Text tab. "
        "Or train an image model on coloured shapes drawn by the app itself (no data needed): it then "
        "appears in the Image tab, its sliders named after what they change. Or give your own pictures "
        "(a zip with one folder per class, picture files, or MNIST-style IDX files) to a VAE or a GAN, "
        "and pick a shipped model under 'Start from' to fine-tune it instead of starting afresh.",
        "train_kind": "What to train",
        "train_start_from": "Start from",
        "train_waiting": "Waiting their turn (one job runs at a time): {names}",
        "train_yours": "yours",
        "train_someone": "someone's job",
        "train_settings": "Settings over the preset (leave blank for the preset's)",
        "train_setting_batch_size": "Batch size",
        "train_setting_learning_rate": "Learning rate",
        "train_setting_latent_dim": "Latent size",
        "train_setting_beta": "β (weight of the KL term)",
        "train_setting_hidden": "Hidden size",
        "train_setting_layers": "Layers",
        "train_public": "…or a public dataset (downloaded once, checksum-checked; needs internet)",
        "train_public_none": "none: use my own data",
        "train_afresh": "a new model",
        "train_curve_critic": "critic",
        "train_curve_generator": "generator",
        "train_text": "Text to learn from",
        "train_text_placeholder": "Paste a few pages of text: poems, lyrics, recipes, code…",
        "train_upload": "…or upload a UTF-8 .txt file (a chat log may be .jsonl)",
        "train_name": "Name for the new model",
        "train_preset": "Size (tiny trains in a minute or two on a CPU)",
        "train_size_tiny": "tiny",
        "train_size_small": "small",
        "train_size_base": "base",
        "train_epochs": "Epochs (passes over the data)",
        "train_minutes": "Time budget (minutes)",
        "train_start": "Start",
        "train_stop": "Stop and save",
        "train_loss": "Loss (text: nats per character; pictures: nats per picture; lower is better)",
        "train_curve_train": "training",
        "train_no_curves": "The curves show here once a run starts.",
        "train_curve_valid": "validation",
        "train_curve_reconstruction": "reconstruction",
        "train_curve_kl": "KL",
        "train_sample": "What the model writes from the same start",
        "train_picture": "What the model draws from the same 16 codes",
        "train_scrubber": "Sample snapshot",
        "train_scrubber_at": "Sample snapshot (after step {step})",
        "train_idle": "No training job is running. Give some text or pictures (or pick the shapes) "
        "and press Start.",
        "train_state_running": "Training **{name}**: step {step} of {total}"
        " · {elapsed} elapsed · about {eta} left",
        "train_state_stopping": "Stopping **{name}** after step {step}…",
        "train_state_finished": "**{name}** is trained ({step} steps in {elapsed}"
        ") and ready in the {tab} tab.",
        "train_state_stopped": "**{name}** was stopped at step {step} of"
        " {total} and saved; it is ready in the "
        "{tab} tab.",
        "train_state_failed": "Training **{name}** failed at step {step}.",
        "about_models": "## Models",
        "about_datasets": "## Datasets",
        "about_refresh": "Refresh",
        "metric_valid_loss": "held-out loss (nats per character)",
        "metric_train_loss": "training loss (nats per character)",
        "metric_valid_bits_per_char": "held-out bits per character",
        "metric_epoch": "best epoch",
        "metric_epochs": "epochs",
        "metric_epochs_run": "epochs",
        "metric_test_accuracy": "test accuracy",
        "metric_recognised_as_asked_digit": "recognised as the asked digit",
        "metric_recognised_at_temperature_1": "recognised at temperature 1",
        "metric_diversity_ratio": "diversity (vs real recordings)",
        "metric_diversity_ratio_at_temperature_1": "diversity at temperature 1",
        "metric_test_reconstruction_sse": "test reconstruction error",
        "metric_test_reconstruction_nats": "test reconstruction (nats)",
        "metric_test_kl_nats": "test KL (nats)",
        "metric_test_nelbo_nats": "test negative ELBO (nats per picture)",
        "metric_train_seconds": "training time",
        "metric_best_train_frechet_distance": "Fréchet distance (training pictures)",
        "metric_frechet_distance": "Fréchet distance of samples",
        "metric_frechet_distance_real_images": "Fréchet distance of real test pictures",
        "metric_recognised_as_asked": "samples recognised as the asked digit",
        "metric_spectral_flatness": "spectral flatness while speaking (lower: less hiss)",
        "metric_prior_components": "parts of the learned prior",
        "metric_prior_log_likelihood_nats": "learned prior's log-likelihood per code (nats)",
        "metric_poems_in_a_fixed_form": "free poems that are quatrains or regulated verse",
        "metric_poems_in_classical_form": "poems in classical form (all half-lines 5 or all 7 characters)",
        "metric_form_mix_distance": "distance of the free poems' mix of forms to the corpus's (0 the same, 1 "
        "nothing in common)",
        "metric_poems_with_unknown_mark": "poems with the unknown mark",
        "metric_poems_in_form_quatrain-5": "five-character quatrains in their form",
        "metric_poems_in_form_quatrain-7": "seven-character quatrains in their form",
        "metric_poems_in_form_regulated-5": "five-character regulated verses in their form",
        "metric_poems_in_form_regulated-7": "seven-character regulated verses in their form",
        "metric_minutes": "{minutes} min",
        "train_take_home": "Download your model (.safetensors, with its card)",
        "upload_heading": "Bring your model",
        "upload_intro": "A `.safetensors` checkpoint this app saved (for example one you took home from "
        "the Train tab) can come back: it is checked before any weight is read — its card must describe a "
        "model this app knows, whose weights are exactly those in the file, within the upload's size — "
        "never run as code, and kept like the models visitors train here.",
        "upload_file": "Checkpoint (.safetensors)",
        "upload_name": "Name (its file name when left empty)",
        "upload_go": "Add the model",
        "upload_done": "Added **{name}** ({kind}): find it in {where}.",
        "upload_no_tab": "the model lists (this kind measures the others and has no tab)",
        "image_download_marked": "Download PNG (marked AI-generated)",
        "device_cpu": "CPU ({threads} threads)",
        "link_copy": "Copy link",
        "link_label": "Link to exactly this (copied when your browser allows)",
        "check_heading": "Labels: check a file",
        "check_intro": "Every picture, animation and recording this app makes says it is AI-generated, "
        "in the file itself: XMP metadata with the `AIGC` field of China's labelling standard GB 45438-2025 "
        "(`Label` 1 = generated, the producer, a content id) and IPTC's *trained algorithmic media* term, "
        "beside a **receipt** — the model, its checkpoint's sha256 and every setting. Give a PNG, GIF or "
        "WAV file: the app reads the label, makes the content again from the receipt and compares.",
        "check_file": "PNG, GIF or WAV file",
        "check_go": "Check",
        "check_verdict_0": "✅ Reproduced: the file is what its receipt makes.",
        "check_verdict_1": "⚠️ Altered: the file differs from what its receipt makes.",
        "check_verdict_2": "❔ Cannot be checked.",
        "check_verdict_3": "No AI-generated label in this file.",
        "check_label": "Label and receipt",
        "check_remade": "Made again from the receipt",
        "about_intro": "AIGC Studio is open source (MIT). Every model here was trained by this "
        "project on the public datasets below; each checkpoint records its dataset, licence, "
        "training command and measured figures.",
        "footer": "AIGC Studio {version} · models run on {device}",
        "no_models": "No models are installed yet. Shipped models live in `checkpoints/`; "
        "models you train are saved in `{user_dir}`.",
        "skipped_heading": "Files skipped",
        "card_kind": "Kind",
        "card_dataset": "Dataset",
        "card_license": "Licence",
        "card_size": "Size",
        "card_metrics": "Metrics",
        "card_command": "Trained with",
        "card_created": "Created",
        "card_origin": "Origin",
        "card_loaded": "Loaded on",
        "card_not_loaded": "not loaded yet (loads on first use)",
        "origin_shipped": "shipped with the app",
        "origin_user": "trained here",
        "dataset_by": "by",
    },
    "zh-CN": {
        "app_title": "# AIGC 创作工坊",
        "app_tagline": "在本机实时体验小型生成模型：图像、文本、语音，以及你亲手训练的模型。",
        "tab_image": "图像",
        "tab_text": "文本",
        "tab_speech": "语音",
        "tab_chat": "对话",
        "chat_intro": "和一个在这里训练的小型对话模型聊天：一个逐字阅读对话的 LSTM，"
        "还带有能从对话中复制词语的指针。"
        "英文（chat-en，日常闲聊）和中文（chat-zh，聊电影、音乐和旅行）。回复之后，点击回复中的任意一个字，"
        "看看模型还考虑过哪些字，以及它在对话里看向了哪里。",
        "chat_box": "对话",
        "chat_note": "回复由一个小模型 **AI 生成**：可能出错、古怪或凭空编造，而且它只记得最近几条消息。",
        "chat_message_placeholder": "你的消息（回车发送）",
        "chat_placeholder": "说点什么，或者选下面的一个例子。",
        "chat_message_label": "你的消息",
        "chat_send": "发送",
        "chat_model": "对话模型",
        "chat_lens": "最后一条回复的概率透镜：颜色越深 = 模型越确定（点击一个字）",
        "chat_lens_pick": "点击上面回复中的一个字，查看模型的其他候选，以及它的指针看向了哪里。",
        "chat_lens_at": "第 {position} 个字：选择了 **{char}**，概率 {probability}；"
        "此处模型的概率中有 {copying} 来自复制对话内容。",
        "chat_attention": "指针看向的地方：颜色越深的字，越是它想复制的",
        "chat_branch": "从这里用这个字重写回复",
        "chat_end": "（回复结束）",
        "tab_train": "训练",
        "tab_about": "关于",
        "nav_label": "页面",
        "image_intro": "拖动滑块，画面随之变化。每个滑块沿训练图像差异最大的方向之一移动模型的潜在编码；"
        "随机种子决定起点。",
        "image_model": "图像模型",
        "image_class": "要画的数字",
        "image_seed": "随机种子",
        "image_random": "随机",
        "image_reset": "滑块归零",
        "image_truncation": "截断 ψ（小于 1：更清晰，变化更少）",
        "image_direction": "方向",
        "image_direction_n": "方向 {number}",
        "image_dimension_n": "隐变量第 {number} 维",
        "image_axes": "滑块移动的方向",
        "image_axes_principal": "发现的方向",
        "image_axes_raw": "原始隐变量维度",
        "image_output": "图像 · AI 生成",
        "image_alt": "由 {model} 画出的图像",
        "image_alt_digit": "手写的数字 {digit}{lean}，由 {model} 画出",
        "image_alt_lean_right": "，向右倾斜",
        "image_alt_lean_left": "，向左倾斜",
        "image_interpolate": "插值：在两个种子、两个数字或两幅画之间",
        "image_seed_b": "种子 B（A 为上方的种子）",
        "image_between": "在……之间",
        "image_between_seeds": "两个种子",
        "image_between_classes": "两个数字（同一种子；适用于可指定数字的模型）",
        "image_between_drawings": "你最近编码的两幅画",
        "image_class_b": "数字 B（A 为上方的数字）",
        "image_frames": "帧数",
        "image_mode": "路径",
        "image_interpolate_go": "生成动画",
        "image_animation": "动画（GIF）· AI 生成",
        "image_strip": "逐帧 · AI 生成",
        "image_manifold": "流形网格",
        "image_pad": "四角混合板",
        "image_map": "隐空间地图",
        "image_map_info": "真实测试图片在模型隐空间中的位置，按类别（数字或形状）着色，"
        "并投影到最能区分各类别的两个方向上。点击一个点，从那张图片的编码开始；圆圈标出当前图片所在的位置。",
        "image_edit": "编辑你自己的数字",
        "image_sketch": "画一个数字",
        "image_sketch_clear": "清除",
        "image_upload": "……或上传一张数字图片",
        "image_prepared": "模型看到的样子",
        "image_encode": "编码：滑块从你的数字出发",
        "image_corner_tl": "左上角种子",
        "image_corner_tr": "右上角种子",
        "image_corner_bl": "左下角种子",
        "image_corner_br": "右下角种子",
        "image_pad_x": "左 ↔ 右",
        "image_pad_y": "上 ↔ 下",
        "image_across": "横向",
        "image_down": "纵向",
        "image_steps": "每个方向的步数",
        "image_manifold_go": "绘制网格",
        "image_named": "可命名的方向",
        "image_trait_ink": "墨量（笔画粗细）",
        "image_trait_slant": "倾斜",
        "image_trait_width": "宽度",
        "image_trait_size": "大小",
        "image_trait_rotation": "旋转",
        "image_trait_x": "左右位置",
        "image_trait_y": "上下位置",
        "image_trait_hue": "颜色（色相）",
        "image_trait_fit": "{trait}（r = {fit}）",
        "image_direction_named": "方向 {number} · {trait}（r = {fit}）",
        "image_like": "更像数字",
        "image_strength": "强度",
        "train_intro": "用你自己的文本训练一个模型：粘贴文本或上传 .tx"
        "t 文件，选择规模和时间预算，然后点击“开始”。"
        "学习过程中，损失曲线和从同一开头生成的样本会不断更新；“停止”会保存目前学到的内容。"
        "之后新模型会出现在“文本”标签页中。"
        "也可以用应用自己绘制的彩色图形（无需数据）训练一个图像模型：它会出现在“图像”标签页中，"
        "滑块以其改变的属性命名。"
        "也可以用你自己的图片（每类一个文件夹的 zip、图片文件或 MNIST 格式的 IDX 文件）训练 VAE 或 GAN；"
        "在“起点”中选一个已有模型即可在其基础上微调，而不是从头开始。",
        "train_kind": "训练什么",
        "train_start_from": "起点",
        "train_waiting": "排队等候（每次只运行一个任务）：{names}",
        "train_yours": "你的",
        "train_someone": "他人的任务",
        "train_settings": "覆盖预设的设置（留空则用预设值）",
        "train_setting_batch_size": "批大小",
        "train_setting_learning_rate": "学习率",
        "train_setting_latent_dim": "潜变量维度",
        "train_setting_beta": "β（KL 项的权重）",
        "train_setting_hidden": "隐藏层大小",
        "train_setting_layers": "层数",
        "train_public": "……或公开数据集（首次使用时下载并校验；需要联网）",
        "train_public_none": "不用：使用我自己的数据",
        "train_afresh": "新模型",
        "train_curve_critic": "判别器",
        "train_curve_generator": "生成器",
        "train_text": "用来学习的文本",
        "train_text_placeholder": "粘贴几页文本：诗歌、歌词、菜谱、代码……",
        "train_upload": "……或上传 UTF-8 编码的 .txt 文件(聊天记录也可以是 .jsonl)",
        "train_name": "新模型的名称",
        "train_preset": "规模（微型在 CPU 上一两分钟即可训练完）",
        "train_size_tiny": "微型",
        "train_size_small": "小型",
        "train_size_base": "标准",
        "train_epochs": "轮数（遍历数据的次数）",
        "train_minutes": "时间预算（分钟）",
        "train_start": "开始",
        "train_stop": "停止并保存",
        "train_loss": "损失（文本：每字符奈特；图片：每幅图奈特；越低越好）",
        "train_curve_train": "训练",
        "train_no_curves": "训练开始后，曲线显示在这里。",
        "train_curve_valid": "验证",
        "train_curve_reconstruction": "重建",
        "train_curve_kl": "KL",
        "train_sample": "模型从同一开头写出的内容",
        "train_picture": "模型从同样 16 个编码画出的图",
        "train_scrubber": "样本快照",
        "train_scrubber_at": "样本快照（第 {step} 步之后）",
        "train_idle": "当前没有训练任务。提供一些文本或图片（或选择图形）后点击“开始”。",
        "train_state_running": "正在训练 **{name}**：第 {step}/{total} 步 · 已用 {elapsed} · 约剩 {eta}",
        "train_state_stopping": "正在停止 **{name}**（第 {step} 步之后）……",
        "train_state_finished": "**{name}** 已训练完成（{step} 步，用"
        "时 {elapsed}），可在“{tab}”标签页中使用。",
        "train_state_stopped": "**{name}** 在第 {step}/{total} 步停止并已保存，可在“{tab}”标签页中使用。",
        "train_state_failed": "训练 **{name}** 在第 {step} 步失败。",
        "text_intro": "输入一段文字的开头，点击“续写”：模型逐字接着写下去。写完后点击任意一个字，"
        "看看模型在那里还考虑过哪些字，并可以换一个字从那里继续写。",
        "text_model": "文本模型",
        "text_prompt": "开头",
        "text_prompt_placeholder": "春江花月夜\n張若虛\n",
        "text_write": "续写",
        "text_stop": "停止",
        "text_length": "要写的字数",
        "text_temperature": "温度",
        "text_temperature_info": "越低越稳妥、越重复；越高越奔放、错误越多。",
        "text_top_k": "Top-k（0 = 不限）",
        "text_top_k_info": "只从最可能的 k 个字中抽取。",
        "text_top_p": "Top-p（1 = 不限）",
        "text_top_p_info": "只从累计概率达到该值的最可能的字中抽取。",
        "text_seed": "随机种子",
        "text_random": "随机种子",
        "text_samples": "样本数",
        "text_script": "中文显示为",
        "text_script_traditional": "繁体",
        "text_script_simplified": "简体",
        "text_form": "诗体",
        "text_form_info": "自由：每首诗的体裁按训练诗作中各体的比例抽取；"
        "选定体裁则严格遵守：句数、标点，写完即止。",
        "text_form_free": "自由",
        "text_form_quatrain_5": "五言绝句",
        "text_form_quatrain_7": "七言绝句",
        "text_form_regulated_5": "五言律诗",
        "text_form_regulated_7": "七言律诗",
        "text_output": "生成的文字 · AI 生成",
        "text_lens": "概率透镜：颜色越深，模型越有把握（第一个样本；点击一个字）",
        "text_candidates": "模型在这个位置考虑过的字",
        "text_branch_choice": "改用",
        "text_branch": "用这个字从这里继续写",
        "text_sample_heading": "样本 {number}",
        "text_lens_pick": "点击上面生成的任意一个字，查看模型的其他候选。",
        "text_lens_at": "第 {position} 个字：选了 **{char}**，概率 {probability}；不确定度 {entropy} 比特。",
        "text_newline": "⏎ 换行",
        "text_space": "␣ 空格",
        "speech_intro": "选择一个数字，或输入一个数后点击“朗读”。随机种子决定声音；"
        "滑块沿训练语音差异最大的方向移动声音，"
        "若某方向与可命名的特征相符，则以该特征命名（括号中的数值表示相符程度）。",
        "speech_model": "语音模型",
        "speech_digit": "朗读单个数字",
        "speech_number": "朗读一个数",
        "speech_say": "朗读",
        "speech_seed": "声音种子",
        "speech_random": "随机声音",
        "speech_reset": "滑块归零",
        "speech_variety": "声音多样性（温度）",
        "speech_variety_info": "越高，声音越像录音中的说话人那样多样，但清晰度更低。",
        "speech_audio": "试听 · AI 生成的声音",
        "speech_download": "下载 WAV",
        "speech_spectrogram": "频谱图（时间 → ，音高 ↑）",
        "voice_slider": "声音方向",
        "voice_direction": "声音方向 {number}",
        "voice_labelled": "{factor}：{low} ↔ {high}（{measure} = {score}）",
        "voice_factor_pitch": "音高",
        "voice_factor_length": "时长",
        "voice_factor_speaker": "说话人",
        "voice_lower": "更低",
        "voice_higher": "更高",
        "voice_shorter": "更短",
        "voice_longer": "更长",
        "about_models": "## 模型",
        "about_datasets": "## 数据集",
        "about_refresh": "刷新",
        "metric_valid_loss": "验证集损失（奈特/字符）",
        "metric_train_loss": "训练集损失（奈特/字符）",
        "metric_valid_bits_per_char": "验证集每字符比特数",
        "metric_epoch": "最佳轮次",
        "metric_epochs": "训练轮数",
        "metric_epochs_run": "训练轮数",
        "metric_test_accuracy": "测试集准确率",
        "metric_recognised_as_asked_digit": "被识别为所要求数字的比例",
        "metric_recognised_at_temperature_1": "温度为 1 时的识别率",
        "metric_diversity_ratio": "多样性（相对真实录音）",
        "metric_diversity_ratio_at_temperature_1": "温度为 1 时的多样性",
        "metric_test_reconstruction_sse": "测试集重建误差",
        "metric_test_reconstruction_nats": "测试集重建（奈特）",
        "metric_test_kl_nats": "测试集 KL 散度（奈特）",
        "metric_test_nelbo_nats": "测试集负 ELBO（奈特/张）",
        "metric_train_seconds": "训练用时",
        "metric_best_train_frechet_distance": "Fréchet 距离（训练图片）",
        "metric_frechet_distance": "样本的 Fréchet 距离",
        "metric_frechet_distance_real_images": "真实测试图片的 Fréchet 距离",
        "metric_recognised_as_asked": "样本被识别为所要求数字的比例",
        "metric_spectral_flatness": "发声时的频谱平坦度（越低杂音越少）",
        "metric_prior_components": "学习到的先验的分量数",
        "metric_prior_log_likelihood_nats": "学习到的先验对每个编码的对数似然（奈特）",
        "metric_poems_in_a_fixed_form": "自由体写出的诗中成为绝句或律诗的比例",
        "metric_poems_in_classical_form": "合乎五言或七言的诗的比例",
        "metric_form_mix_distance": "自由体诗的体裁分布与语料的差距（0 相同，1 毫无重合）",
        "metric_poems_with_unknown_mark": "含未知字符标记的诗的比例",
        "metric_poems_in_form_quatrain-5": "五言绝句合乎其体裁的比例",
        "metric_poems_in_form_quatrain-7": "七言绝句合乎其体裁的比例",
        "metric_poems_in_form_regulated-5": "五言律诗合乎其体裁的比例",
        "metric_poems_in_form_regulated-7": "七言律诗合乎其体裁的比例",
        "metric_minutes": "{minutes} 分钟",
        "train_take_home": "下载你的模型（.safetensors，含模型卡）",
        "upload_heading": "带回你的模型",
        "upload_intro": "本应用保存的 `.safetensors` 检查点（例如你在“训练”页下载的模型）可以再带回来："
        "读取任何权重之前先检查——模型卡必须描述本应用认识的模型，文件里的权重必须与之完全相符，且不超过上传大小——"
        "文件绝不会被当作代码执行，并像访客在此训练的模型一样保留。",
        "upload_file": "检查点（.safetensors）",
        "upload_name": "名称（留空则用文件名）",
        "upload_go": "添加模型",
        "upload_done": "已添加 **{name}**（{kind}）：请在{where}中查看。",
        "upload_no_tab": "模型列表（这类模型用于评估其他模型，没有自己的页面）",
        "image_download_marked": "下载 PNG（带“AI 生成”标记）",
        "device_cpu": "CPU（{threads} 个线程）",
        "link_copy": "复制链接",
        "link_label": "打开即为此刻状态的链接（浏览器允许时已复制）",
        "check_heading": "标识：检查一个文件",
        "check_intro": "本应用生成的每张图片、每段动画和录音，文件里都写明了它由人工智能生成："
        "XMP 元数据中按国家标准 GB 45438-2025 写入的 `AIGC` 字段"
        "（`Label` 为 1 表示生成内容，另有生成者和内容编号），以及 IPTC 的“算法训练生成”类别，"
        "另附一份**凭据**——模型名称、检查点的 sha256 和每一项设置。"
        "上传 PNG、GIF 或 WAV 文件：应用读出标识，按凭据重新生成内容并逐一比对。",
        "check_file": "PNG、GIF 或 WAV 文件",
        "check_go": "检查",
        "check_verdict_0": "✅ 已复现：文件与凭据生成的内容完全一致。",
        "check_verdict_1": "⚠️ 已被改动：文件与凭据生成的内容不同。",
        "check_verdict_2": "❔ 无法检查。",
        "check_verdict_3": "此文件没有人工智能生成标识。",
        "check_label": "标识与凭据",
        "check_remade": "按凭据重新生成",
        "about_intro": "AIGC 创作工坊是开源项目（MIT 许可）。这里的每个模型都由本项目在下列公开数据集上训练，"
        "每个检查点都记录了它的数据集、许可、训练命令和实测指标。",
        "footer": "AIGC 创作工坊 {version} · 模型运行于 {device}",
        "no_models": "尚未安装任何模型。随应用发布的模型位于 `checkpoints/`；"
        "你训练的模型保存在 `{user_dir}`。",
        "skipped_heading": "已跳过的文件",
        "card_kind": "类型",
        "card_dataset": "数据集",
        "card_license": "许可",
        "card_size": "大小",
        "card_metrics": "指标",
        "card_command": "训练命令",
        "card_created": "创建时间",
        "card_origin": "来源",
        "card_loaded": "已加载到",
        "card_not_loaded": "尚未加载（首次使用时加载）",
        "origin_shipped": "随应用发布",
        "origin_user": "在本机训练",
        "dataset_by": "作者",
    },
}


def _add_recipe_texts() -> None:
    """Each recipe brings the texts of its choice in the Train tab (``train_kind_NAME``, and where it
    has them ``train_valid_NAME``, ``train_files_NAME``, ``train_preview_NAME``), so a new kind needs
    no edit here."""
    for each in RECIPES:
        for key, (english, chinese) in each.texts.items():
            TRANSLATIONS["en"][f"train_{key}_{each.name}"] = english
            TRANSLATIONS["zh-CN"][f"train_{key}_{each.name}"] = chinese


_add_recipe_texts()


def _add_navigation() -> None:
    """Each page's links to the others (``nav_PAGE``), its own marked, in each language."""
    for table in TRANSLATIONS.values():
        names = {page: table[f"tab_{page}"] for page in PAGES}
        for page in PAGES:
            table[f"nav_{page}"] = nav_html(page, names, table["nav_label"])


_add_navigation()


def _add_page_tops() -> None:
    """What each page starts with (``top_PAGE``), in each language, as one block of HTML: the title,
    the links to the pages, the home page's tagline and the page's introduction."""
    for table in TRANSLATIONS.values():
        for page in PAGES:
            parts = [markdown_html(table["app_title"]), table[f"nav_{page}"]]
            if page == HOME:
                parts.append(markdown_html(table["app_tagline"]))
            parts.append(markdown_html(table[f"{page}_intro"]))
            table[f"top_{page}"] = prose("".join(parts))


_add_page_tops()
# The shipped cards' and the dataset catalogue's own English, in Chinese: cards are written once, in
# English, by whoever trains a model; a Chinese page shows these translations where one exists.
CARD_TEXTS_ZH = {
    "Replies to a conversation one character at a time, copying words from it where they fit.": (
        "逐字回复一段对话，在合适的地方从对话中复制词语。"
    ),
    "Recognises spoken digits; judges the speech generator.": "识别说出的数字；为语音生成模型打分。",
    "Speaks a chosen digit (0-9) in a voice you can move through with sliders.": (
        "用一个可以用滑块调节的声音说出所选的数字（0-9）。"
    ),
    "Recognises digits; judges the image generators.": "识别手写数字；为图像生成模型打分。",
    "Draws a chosen digit from noise.": "从噪声画出所选的数字。",
    "Draws digits from a latent code.": "从潜在编码画出数字。",
    "Continues a text one character at a time.": "逐字续写一段文字。",
    "Draws coloured shapes (square, circle, triangle) from a latent code.": (
        "从潜在编码画出彩色图形（正方形、圆形、三角形）。"
    ),
    "Public domain text; char-rnn distribution MIT": "公有领域文本；char-rnn 发布版为 MIT 许可",
    "Public domain poems; chinese-poetry compilation MIT": "公有领域诗歌；chinese-poetry 汇编为 MIT 许可",
    "Generated by this project's own code (aigc_demo/data/sprites.py); no outside data": (
        "由本项目自己的代码生成（aigc_demo/data/sprites.py），不用外部数据"
    ),
}


def card_text(english: str, language: str) -> str:
    """A card's or the catalogue's English in the reader's language, where a translation exists."""
    return CARD_TEXTS_ZH.get(english, english) if language.startswith("zh") else english


I18N = gr.I18n(**TRANSLATIONS)


def translated(texts: dict[str, str]) -> gr.i18n.I18nData:
    """A text made while the app is built, one version per language (e.g. a slider's label that
    names what the first model's direction tracks), as a translated text of the page. Its key
    follows from its words, so apps built in one process never give each other their texts."""
    key = "made_" + hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:16]
    for language, words in texts.items():
        TRANSLATIONS[language][key] = words
    return I18N(key)


def language_of(request: gr.Request | None) -> str:
    """The first supported language in the request's ``Accept-Language`` header, else English."""
    header = request.headers.get("accept-language", "") if request is not None else ""
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "en"


def text(key: str, language: str, **values: object) -> str:
    """The text for ``key`` in ``language`` with ``values`` filled in."""
    table = TRANSLATIONS.get(language, TRANSLATIONS["en"])
    return table[key].format(**values) if values else table[key]
