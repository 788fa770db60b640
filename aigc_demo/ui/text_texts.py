"""The Text page's words, each as (English, 中文)."""

TEXTS = {
    "tab_text": ("Text", "文本"),
    "text_intro": (
        "Type the start of a text and press Write: the model continues it one character at a time. Then "
        "click any written character to see what else the model considered there, and continue the text "
        "from another choice.",
        "输入一段文字的开头，点击“续写”：模型逐字接着写下去。写完后点击任意一个字，看看模型在那里还考虑过哪"
        "些字，并可以换一个字从那里继续写。",
    ),
    "text_model": ("Text model", "文本模型"),
    "text_prompt": ("Prompt", "开头"),
    "text_prompt_placeholder": ("ROMEO:", "春江花月夜\n張若虛\n"),
    "text_write": ("Write", "续写"),
    "text_stop": ("Stop", "停止"),
    "text_length": ("Characters to write", "要写的字数"),
    "text_temperature": ("Temperature", "温度"),
    "text_temperature_info": (
        "Lower: safer, more repetitive. Higher: wilder, more mistakes.",
        "越低越稳妥、越重复；越高越奔放、错误越多。",
    ),
    "text_top_k": ("Top-k (0 = off)", "Top-k（0 = 不限）"),
    "text_top_k_info": ("Draw only from the k likeliest characters.", "只从最可能的 k 个字中抽取。"),
    "text_top_p": ("Top-p (1 = off)", "Top-p（1 = 不限）"),
    "text_top_p_info": (
        "Draw only from the likeliest characters that together hold this much probability.",
        "只从累计概率达到该值的最可能的字中抽取。",
    ),
    "text_seed": ("Seed", "随机种子"),
    "text_random": ("Random seed", "随机种子"),
    "text_keep_seed": (
        "Keep this seed (Write then writes the same again)",
        "固定这个种子（再点“写”会写出同样的内容）",
    ),
    "text_samples": ("Samples", "样本数"),
    "text_script": ("Show Chinese as", "中文显示为"),
    "text_script_traditional": ("Traditional", "繁体"),
    "text_script_simplified": ("Simplified", "简体"),
    "text_form": ("Poem form", "诗体"),
    "text_form_info": (
        "Free writes each poem in a form drawn from the training poems' own mix; a form is kept exactly: "
        "its lines, its punctuation, then the poem ends.",
        "自由：每首诗的体裁按训练诗作中各体的比例抽取；选定体裁则严格遵守：句数、标点，写完即止。",
    ),
    "text_form_free": ("Free", "自由"),
    "text_form_quatrain_5": ("Five-character quatrain (五言絕句)", "五言绝句"),
    "text_form_quatrain_7": ("Seven-character quatrain (七言絕句)", "七言绝句"),
    "text_form_regulated_5": ("Five-character regulated verse (五言律詩)", "五言律诗"),
    "text_form_regulated_7": ("Seven-character regulated verse (七言律詩)", "七言律诗"),
    "text_output": ("Written text · AI-generated", "生成的文字 · AI 生成"),
    "text_lens": (
        "Probability lens: darker = the model was surer (first sample; click a character)",
        "概率透镜：颜色越深，模型越有把握（第一个样本；点击一个字）",
    ),
    "text_candidates": ("What the model considered at this character", "模型在这个位置考虑过的字"),
    "text_branch_choice": ("Continue with", "改用"),
    "text_branch": ("Continue from here with this character", "用这个字从这里继续写"),
    "text_sample_heading": ("sample {number}", "样本 {number}"),
    "text_lens_pick": (
        "Click a written character above to see the model's other candidates.",
        "点击上面生成的任意一个字，查看模型的其他候选。",
    ),
    "text_lens_at": (
        "Character {position}: chosen **{char}** with probability {probability}; uncertainty {entropy} bits.",
        "第 {position} 个字：选了 **{char}**，概率 {probability}；不确定度 {entropy} 比特。",
    ),
    "text_newline": ("⏎ new line", "⏎ 换行"),
    "text_space": ("␣ space", "␣ 空格"),
}
