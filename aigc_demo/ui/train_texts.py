"""The Train page's words (each recipe brings those of its own choice), each as (English, 中文)."""

TEXTS = {
    "tab_train": ("Train", "训练"),
    "train_intro": (
        "Train a model of your own on your own text: paste it or upload a .txt file, pick a size and a "
        "time budget, and press Start. The loss curves and samples from the same prompt update as it "
        "learns; Stop saves what it has learned so far. The model then appears in the Text tab. Or train "
        "an image model on coloured shapes drawn by the app itself (no data needed): it then appears in "
        "the Image tab, its sliders named after what they change. Or give your own pictures (a zip with "
        "one folder per class, picture files, or MNIST-style IDX files) to a VAE or a GAN, and pick a "
        "shipped model under 'Start from' to fine-tune it instead of starting afresh.",
        "用你自己的文本训练一个模型：粘贴文本或上传 .txt 文件，选择规模和时间预算，然后点击“开始”。学习过程"
        "中，损失曲线和从同一开头生成的样本会不断更新；“停止”会保存目前学到的内容。之后新模型会出现在“文本”"
        "标签页中。也可以用应用自己绘制的彩色图形（无需数据）训练一个图像模型：它会出现在“图像”标签页中，滑"
        "块以其改变的属性命名。也可以用你自己的图片（每类一个文件夹的 zip、图片文件或 MNIST 格式的 IDX "
        "文件）训练 VAE 或 GAN；在“起点”中选一个已有模型即可在其基础上微调，而不是从头开始。",
    ),
    "train_kind": ("What to train", "训练什么"),
    "train_start_from": ("Start from", "起点"),
    "train_waiting": (
        "Waiting their turn (one job runs at a time): {names}",
        "排队等候（每次只运行一个任务）：{names}",
    ),
    "train_yours": ("yours", "你的"),
    "train_someone": ("someone's job", "他人的任务"),
    "train_settings": (
        "Settings over the preset (leave blank for the preset's)",
        "覆盖预设的设置（留空则用预设值）",
    ),
    "train_setting_batch_size": ("Batch size", "批大小"),
    "train_setting_learning_rate": ("Learning rate", "学习率"),
    "train_setting_latent_dim": ("Latent size", "潜变量维度"),
    "train_setting_beta": (
        "β: how simple the codes are kept (higher: tidier sliders, blurrier pictures; the KL term's weight)",
        "β：编码保持简单的程度（越高滑块越规整、图越模糊；即 KL 项的权重）",
    ),
    "train_setting_hidden": ("Hidden size", "隐藏层大小"),
    "train_setting_layers": ("Layers", "层数"),
    "train_public": (
        "…or a public dataset (downloaded once, checksum-checked; needs internet)",
        "……或公开数据集（首次使用时下载并校验；需要联网）",
    ),
    "train_public_none": ("none: use my own data", "不用：使用我自己的数据"),
    "train_afresh": ("a new model", "新模型"),
    "train_curve_critic": ("critic", "判别器"),
    "train_curve_generator": ("generator", "生成器"),
    "train_text": ("Text to learn from", "用来学习的文本"),
    "train_text_placeholder": (
        "Paste a few pages of text: poems, lyrics, recipes, code…",
        "粘贴几页文本：诗歌、歌词、菜谱、代码……",
    ),
    "train_upload": (
        "…or upload a UTF-8 .txt file (a chat log may be .jsonl)",
        "……或上传 UTF-8 编码的 .txt 文件(聊天记录也可以是 .jsonl)",
    ),
    "train_name": ("Name for the new model", "新模型的名称"),
    "train_private": (
        "Your model is yours: only this browser lists it, and no other visitor sees it or what you gave "
        "it. Whoever you send a link or a file made with it can use it.",
        "模型归你所有：只有这个浏览器会列出它，其他访客看不到它，也看不到你提供的数据。你把链接或用它生成的"
        "文件发给谁，谁就能使用它。",
    ),
    "train_preset": (
        "Size (tiny trains in a minute or two on a CPU)",
        "规模（微型在 CPU 上一两分钟即可训练完）",
    ),
    "train_size_tiny": ("tiny", "微型"),
    "train_size_small": ("small", "小型"),
    "train_size_base": ("base", "标准"),
    "train_epochs": ("Epochs at most", "最多轮数"),
    "train_epochs_info": (
        "Passes over the data; the time budget usually ends the run first",
        "遍历数据的次数；通常时间预算先结束训练",
    ),
    "train_least": (
        "At least {chars} characters for this size (about {pages} pages); more text, better writing.",
        "此规模至少需要 {chars} 个字符（约 {pages} 页）；文本越多，写得越好。",
    ),
    "train_least_chat": ("At least {chars} characters.", "至少 {chars} 个字符。"),
    "train_not_started": ("Not started:", "没有开始："),
    "train_kept_best": (
        "Saved as it was when it did best on the validation data (after step {step}).",
        "保存的是它在验证数据上表现最好时的状态（第 {step} 步之后）。",
    ),
    "train_overfit": (
        "After that its validation loss rose ({best} → {last}): it began to learn the training data by "
        "heart instead of its patterns (over-fitting). More data helps more than more time.",
        "此后验证损失上升（{best} → {last}）：模型开始死记训练数据，而不是学习其中的规律（过拟合）。增加数据"
        "比增加时间更有用。",
    ),
    "train_minutes": ("Time budget (minutes)", "时间预算（分钟）"),
    "train_start": ("Start", "开始"),
    "train_stop": ("Stop and save", "停止并保存"),
    "train_loss": (
        "Loss: how far the model still is from its examples (lower is better; in nats, per character of "
        "text or per picture)",
        "损失：模型离它的样例还有多远（越低越好；单位为奈特，按每个字符或每幅图计）",
    ),
    "train_curve_train": ("training", "训练"),
    "train_no_curves": ("The curves show here once a run starts.", "训练开始后，曲线显示在这里。"),
    "train_curve_valid": ("validation", "验证"),
    "train_curve_reconstruction": ("redrawing error (reconstruction)", "重画误差（重建）"),
    "train_curve_kl": ("what the codes hold (KL)", "编码承载的信息（KL）"),
    "train_sample": ("What the model writes from the same start", "模型从同一开头写出的内容"),
    "train_picture": ("What the model draws from the same 16 codes", "模型从同样 16 个编码画出的图"),
    "train_scrubber": ("Sample snapshot", "样本快照"),
    "train_scrubber_at": ("Sample snapshot (after step {step})", "样本快照（第 {step} 步之后）"),
    "train_idle": (
        "No training job is running. Give some text or pictures (or pick the shapes) and press Start.",
        "当前没有训练任务。提供一些文本或图片（或选择图形）后点击“开始”。",
    ),
    "train_state_running": (
        "Training **{name}**: step {step} of {total} · {elapsed} elapsed · about {eta} left",
        "正在训练 **{name}**：第 {step}/{total} 步 · 已用 {elapsed} · 约剩 {eta}",
    ),
    "train_state_stopping": (
        "Stopping **{name}** after step {step}…",
        "正在停止 **{name}**（第 {step} 步之后）……",
    ),
    "train_state_finished": (
        "**{name}** is trained ({step} steps in {elapsed}) and ready in the {tab} tab.",
        "**{name}** 已训练完成（{step} 步，用时 {elapsed}），可在“{tab}”标签页中使用。",
    ),
    "train_state_stopped": (
        "**{name}** was stopped at step {step} of {total} and saved; it is ready in the {tab} tab.",
        "**{name}** 在第 {step}/{total} 步停止并已保存，可在“{tab}”标签页中使用。",
    ),
    "train_state_failed": (
        "Training **{name}** failed at step {step}.",
        "训练 **{name}** 在第 {step} 步失败。",
    ),
    "train_take_home": (
        "Download your model (.safetensors, with its card)",
        "下载你的模型（.safetensors，含模型卡）",
    ),
}
