"""The About page's words, each as (English, 中文)."""

TEXTS = {
    "tab_about": ("About", "关于"),
    "about_models": ("## Models", "## 模型"),
    "about_datasets": ("## Datasets", "## 数据集"),
    "about_refresh": ("Refresh", "刷新"),
    "metric_valid_loss": ("held-out loss (nats per character)", "验证集损失（奈特/字符）"),
    "metric_train_loss": ("training loss (nats per character)", "训练集损失（奈特/字符）"),
    "metric_valid_bits_per_char": ("held-out bits per character", "验证集每字符比特数"),
    "metric_epoch": ("best epoch", "最佳轮次"),
    "metric_epochs": ("epochs", "训练轮数"),
    "metric_epochs_run": ("epochs", "训练轮数"),
    "metric_test_accuracy": ("test accuracy", "测试集准确率"),
    "metric_recognised_as_asked_digit": ("recognised as the asked digit", "被识别为所要求数字的比例"),
    "metric_recognised_at_temperature_1": ("recognised at temperature 1", "温度为 1 时的识别率"),
    "metric_diversity_ratio": ("diversity (vs real recordings)", "多样性（相对真实录音）"),
    "metric_diversity_ratio_at_temperature_1": ("diversity at temperature 1", "温度为 1 时的多样性"),
    "metric_test_reconstruction_sse": ("test reconstruction error", "测试集重建误差"),
    "metric_test_reconstruction_nats": ("test reconstruction (nats)", "测试集重建（奈特）"),
    "metric_test_kl_nats": ("test KL (nats)", "测试集 KL 散度（奈特）"),
    "metric_test_nelbo_nats": ("test negative ELBO (nats per picture)", "测试集负 ELBO（奈特/张）"),
    "metric_train_seconds": ("training time", "训练用时"),
    "metric_valid_loss_nats": ("held-out loss (nats per font)", "留出字体的损失（奈特/字体）"),
    "metric_held_out_ink_iou": (
        "unseen fonts redrawn from 10 letters (ink overlap)",
        "仅凭 10 个字符重画未见过的字体（笔画重合度）",
    ),
    "metric_nearest_family_ink_iou": (
        "the same, nearest known font as the guess",
        "同上，以最接近的已知字体作猜测",
    ),
    "metric_generated_read_as_asked": (
        "made-up glyphs read as the asked character",
        "虚构字形被认作所要求字符的比例",
    ),
    "metric_real_held_out_read_as_asked": (
        "real glyphs of unseen fonts read right",
        "未见字体的真实字形被认对的比例",
    ),
    "metric_best_train_frechet_distance": (
        "Fréchet distance (training pictures)",
        "Fréchet 距离（训练图片）",
    ),
    "metric_frechet_distance": ("Fréchet distance of samples", "样本的 Fréchet 距离"),
    "metric_frechet_distance_real_images": (
        "Fréchet distance of real test pictures",
        "真实测试图片的 Fréchet 距离",
    ),
    "metric_recognised_as_asked": ("samples recognised as the asked digit", "样本被识别为所要求数字的比例"),
    "metric_spectral_flatness": (
        "spectral flatness while speaking (lower: less hiss)",
        "发声时的频谱平坦度（越低杂音越少）",
    ),
    "metric_prior_components": ("parts of the learned prior", "学习到的先验的分量数"),
    "metric_prior_log_likelihood_nats": (
        "learned prior's log-likelihood per code (nats)",
        "学习到的先验对每个编码的对数似然（奈特）",
    ),
    "metric_poems_in_a_fixed_form": (
        "free poems that are quatrains or regulated verse",
        "自由体写出的诗中成为绝句或律诗的比例",
    ),
    "metric_poems_in_classical_form": (
        "poems in classical form (all half-lines 5 or all 7 characters)",
        "合乎五言或七言的诗的比例",
    ),
    "metric_form_mix_distance": (
        "distance of the free poems' mix of forms to the corpus's (0 the same, 1 nothing in common)",
        "自由体诗的体裁分布与语料的差距（0 相同，1 毫无重合）",
    ),
    "metric_poems_with_unknown_mark": ("poems with the unknown mark", "含未知字符标记的诗的比例"),
    "metric_poems_in_form_quatrain-5": ("five-character quatrains in their form", "五言绝句合乎其体裁的比例"),
    "metric_poems_in_form_quatrain-7": (
        "seven-character quatrains in their form",
        "七言绝句合乎其体裁的比例",
    ),
    "metric_poems_in_form_regulated-5": (
        "five-character regulated verses in their form",
        "五言律诗合乎其体裁的比例",
    ),
    "metric_poems_in_form_regulated-7": (
        "seven-character regulated verses in their form",
        "七言律诗合乎其体裁的比例",
    ),
    "metric_minutes": ("{minutes} min", "{minutes} 分钟"),
    "upload_heading": ("Bring your model", "带回你的模型"),
    "upload_intro": (
        "A `.safetensors` checkpoint this app saved (for example one you took home from the Train tab) can "
        "come back: it is checked before any weight is read — its card must describe a model this app "
        "knows, whose weights are exactly those in the file, within the upload's size — never run as code, "
        "and kept like the models visitors train here: yours, listed only in this browser.",
        "本应用保存的 `.safetensors` 检查点（例如你在“训练”页下载的模型）可以再带回来：读取任何权重之前先检"
        "查——模型卡必须描述本应用认识的模型，文件里的权重必须与之完全相符，且不超过上传大小——文件绝不会被当"
        "作代码执行，并像访客在此训练的模型一样保留：归你所有，只在这个浏览器中列出。",
    ),
    "upload_file": ("Checkpoint (.safetensors)", "检查点（.safetensors）"),
    "upload_name": ("Name (its file name when left empty)", "名称（留空则用文件名）"),
    "upload_go": ("Add the model", "添加模型"),
    "upload_done": (
        "Added **{name}** ({kind}): find it in {where}. It is yours: other visitors do not see it.",
        "已添加 **{name}**（{kind}）：请在{where}中查看。它归你所有，其他访客看不到。",
    ),
    "upload_no_tab": (
        "the model lists (this kind measures the others and has no tab)",
        "模型列表（这类模型用于评估其他模型，没有自己的页面）",
    ),
    "device_cpu": ("CPU ({threads} threads)", "CPU（{threads} 个线程）"),
    "check_heading": ("Labels: check a file", "标识：检查一个文件"),
    "check_intro": (
        "Did this app make a file, and exactly as it says? Give a picture, an animation or a recording "
        "(PNG, GIF or WAV): every one this app makes carries, inside the file, a label saying it is "
        "AI-generated and a **receipt** — the model and every setting that made it. The app reads them, "
        "makes the content again from the receipt and compares. (For the technically minded: the label "
        "is XMP metadata with the `AIGC` field of China's labelling standard GB 45438-2025 and IPTC's "
        "*trained algorithmic media* term; the receipt names the checkpoint by its sha256.)",
        "这个文件是本应用生成的吗？与它自己说的完全一致吗？上传一张图片、一段动画或一段录音（PNG、GIF 或 "
        "WAV）：本应用生成的每个文件里都带有一个标识，说明它由人工智能生成，另附一份**凭据**——生成它的模"
        "型和每一项设置。应用读出它们，按凭据重新生成内容并逐一比对。（技术细节：标识是 XMP 元数据，含国"
        "家标准 GB 45438-2025 的 `AIGC` 字段和 IPTC 的“算法训练生成”类别；凭据以 sha256 指明检查点。）",
    ),
    "check_file": ("PNG, GIF or WAV file", "PNG、GIF 或 WAV 文件"),
    "check_go": ("Check", "检查"),
    "check_verdict_0": (
        "✅ Reproduced: the file is what its receipt makes.",
        "✅ 已复现：文件与凭据生成的内容完全一致。",
    ),
    "check_verdict_1": (
        "⚠️ Altered: the file differs from what its receipt makes.",
        "⚠️ 已被改动：文件与凭据生成的内容不同。",
    ),
    "check_verdict_2": ("❔ Cannot be checked.", "❔ 无法检查。"),
    "check_verdict_3": ("No AI-generated label in this file.", "此文件没有人工智能生成标识。"),
    "check_label": ("Label and receipt", "标识与凭据"),
    "check_remade": ("Made again from the receipt", "按凭据重新生成"),
    "about_intro": (
        "AIGC Studio is open source (MIT). Every model here was trained by this project on the public "
        "datasets below; each checkpoint records its dataset, licence, training command and measured "
        "figures.",
        "AIGC 创作工坊是开源项目（MIT 许可）。这里的每个模型都由本项目在下列公开数据集上训练，每个检查点都"
        "记录了它的数据集、许可、训练命令和实测指标。",
    ),
    "footer": (
        "AIGC Studio {version} · models run on {device}",
        "AIGC 创作工坊 {version} · 模型运行于 {device}",
    ),
    "no_models": (
        "No models are installed yet. Shipped models live in `checkpoints/`; models you train are saved in "
        "`{user_dir}`.",
        "尚未安装任何模型。随应用发布的模型位于 `checkpoints/`；你训练的模型保存在 `{user_dir}`。",
    ),
    "skipped_heading": ("Files skipped", "已跳过的文件"),
    "card_kind": ("Kind", "类型"),
    "card_dataset": ("Dataset", "数据集"),
    "card_license": ("Licence", "许可"),
    "card_size": ("Size", "大小"),
    "card_metrics": ("Metrics", "指标"),
    "card_command": ("Trained with", "训练命令"),
    "card_created": ("Created", "创建时间"),
    "card_origin": ("Origin", "来源"),
    "card_loaded": ("Loaded on", "已加载到"),
    "card_not_loaded": ("not loaded yet (loads on first use)", "尚未加载（首次使用时加载）"),
    "origin_shipped": ("shipped with the app", "随应用发布"),
    "origin_user": ("trained here", "在本机训练"),
    "dataset_by": ("by", "作者"),
}


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
    "Draws any of its characters in a typeface you move through with sliders.": (
        "用一种可以用滑块调节的字体写出它认识的任何字符。"
    ),
    "Reads which character a 28 x 28 glyph shows; judges the typeface model.": (
        "识别 28 x 28 字形图中是哪个字符；为字体模型打分。"
    ),
    "SIL Open Font License 1.1 (most families) or Apache-2.0; each family's licence and attribution are "
    "kept beside its files": (
        "SIL 开放字体许可 1.1（大多数字体家族）或 Apache-2.0；每个家族的许可与署名随其文件保存"
    ),
    "Draws a chosen digit from noise.": "从噪声画出所选的数字。",
    "Draws digits from a latent code.": "从潜在编码画出数字。",
    "Continues a text one character at a time.": "逐字续写一段文字。",
    "Continues and dreams clips of moving digits: a frame VAE, a recurrent model of its codes.": (
        "续写并想象移动数字的视频片段：一个逐帧的 VAE，加上一个学习其编码变化的循环网络。"
    ),
    "Draws coloured shapes (square, circle, triangle) from a latent code.": (
        "从潜在编码画出彩色图形（正方形、圆形、三角形）。"
    ),
    "Public domain text; char-rnn distribution MIT": "公有领域文本；char-rnn 发布版为 MIT 许可",
    "Public domain poems; chinese-poetry compilation MIT": "公有领域诗歌；chinese-poetry 汇编为 MIT 许可",
    "Generated by this project's own code (aigc_demo/data/sprites.py); no outside data": (
        "由本项目自己的代码生成（aigc_demo/data/sprites.py），不用外部数据"
    ),
}
